import { GraphiQL } from 'graphiql';
import type { ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const DEFAULT_QUERY = `# Marketplace GraphQL explorer: the gateway's public schema (see Docs).
# To call as a signed-in user, add this in the Headers tab below:
#   { "Authorization": "Bearer <access token>" }

query {
  __typename
}
`;

const fetcher: Fetcher = async (params, options) => {
  const headers = new Headers(options?.headers as HeadersInit | undefined);
  // A JSON content type makes this a non-simple request, which the gateway's CSRF prevention requires.
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/json');
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(params) });
  try {
    return await response.json();
  } catch {
    return { errors: [{ message: `The gateway answered ${response.status} ${response.statusText}` }] };
  }
};

createRoot(document.getElementById('explorer')!).render(
  <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false} />,
);

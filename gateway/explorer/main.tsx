import { GraphiQL } from 'graphiql';
import type { ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';
import { EXAMPLE_TABS, tokenPlaceholder } from '../src/explorer-examples.js';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

// Saved examples, one tab per role (defaultTabs are used until the browser has tabs of its own
// in localStorage). Headers hold a placeholder: `pnpm seed` prints the demo accounts' tokens.
const DEFAULT_TABS = EXAMPLE_TABS.map((tab) => ({
  query: tab.query,
  variables: JSON.stringify(tab.variables, null, 2),
  headers:
    tab.role === 'storefront'
      ? ''
      : JSON.stringify({ Authorization: `Bearer ${tokenPlaceholder(tab.role)}` }, null, 2),
}));

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
  <GraphiQL fetcher={fetcher} defaultTabs={DEFAULT_TABS} shouldPersistHeaders={false} />,
);

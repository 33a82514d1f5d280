# One image for every app service (every subgraph and the gateway); docker-compose.yml
# picks the entry point per service with `command:`. Build context: the repository root.

FROM node:24-bookworm-slim AS base
# Same pnpm as package.json "packageManager" (pnpm would otherwise fetch that version itself).
RUN npm install -g pnpm@10.34.8 && pnpm --version
ENV CI=true
WORKDIR /app

# --- build: install everything, compile, then keep production dependencies only ---
FROM base AS build
# Lockfile first: this layer (the package download) stays cached until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# pnpm-workspace.yaml names the patches applied to dependencies (patches/README.md says why).
COPY patches ./patches
RUN pnpm fetch --store-dir /pnpm-store
COPY . .
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm-store
RUN pnpm build
# The gateway serves the committed supergraph.graphql; compose it only if it is absent.
RUN test -f supergraph.graphql || pnpm compose
# pnpm prune does not work across a workspace: drop every node_modules, reinstall --prod.
RUN find . -name node_modules -type d -prune -exec rm -rf {} + \
 && pnpm install --frozen-lockfile --offline --prod --store-dir /pnpm-store

# --- runtime: compiled workspace + production node_modules, no pnpm store, no compiler ---
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_OPTIONS=--enable-source-maps
COPY --from=build /app /app
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4006 4007 4008 4009 4010 4011 4012 4013 4014
CMD ["node", "gateway/dist/main.js"]

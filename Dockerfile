# Build:  docker build -t nest-auth-todos .
# Run:    docker compose up   (see docker-compose.yml and .env.example)
#
# Node.js 24, the newer of the two LTS lines package.json's "engines" names; CI runs the suite on
# both (.ci/run). bookworm-slim is glibc: argon2 loads its prebuilt
# prebuilds/linux-x64/argon2.glibc.node, which `npm rebuild argon2` below checks at build time.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- deps: every dependency, dev included, for the build -----------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Only argon2's install script is allowed (package.json "allowScripts"); --ignore-scripts enforces
# that with any npm version, and `npm rebuild argon2` runs the one allowed script: it checks that
# the prebuilt binary loads in this image (it crashes with some Node builds) and fails loudly if not.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild argon2

# --- build: TypeScript to dist/src and dist/migrations --------------------------------------------
FROM deps AS build
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx nest build \
 && test -f dist/src/main.js \
 && test -f dist/src/cli.js \
 && ls dist/migrations/*.js >/dev/null

# --- prod-deps: production dependencies only; runtime copies node_modules, not npm's cache --------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild argon2

# --- runtime --------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Application files stay root-owned, so the process cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
# package.json is needed at run time: its "type": "module" makes dist/*.js ESM, and the app
# reads its version from it.
COPY package.json ./
COPY --from=build /app/dist ./dist
# Data files read at run time (the common-password list), found from dist/src as ../../assets.
COPY assets ./assets
# DATA_DIR (default ./data): the one directory the app may write to.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Slim images have no curl; Node has a global fetch. Start period covers migrations at start-up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# As npm run start:prod starts it. A young generation of at most 2 × 8 MiB instead of V8's
# 2 × 16 MiB: about 15 MiB less resident when idle and 40-70 MiB less under load, with no
# throughput change measurable by npm run bench. libuv's pool gets one thread per CPU (unless
# UV_THREADPOOL_SIZE is set), all of them free to hash, so logins use every CPU; exec keeps node
# as the process that receives SIGTERM.
CMD ["sh", "-c", "UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-$(nproc)} exec node --max-semi-space-size=8 dist/src/main.js"]

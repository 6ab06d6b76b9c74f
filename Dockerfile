# One image for every service; the command picks which one runs:
#   ingest (default)     node services/ingest/dist/main.js
#   worker               node --max-old-space-size=192 services/worker/dist/main.js
#   GHL sandbox (dev)    node services/ghl-sandbox/dist/main.js
#   replay failed runs   node services/tools/dist/replay.js --since 1h
# `node` is the command rather than `npm run start:*`: node is then PID 1 and gets SIGTERM itself, so the
# services drain as designed (npm would sit in between and spend the grace period).

ARG NODE_VERSION=20

# ---------------------------------------------------------------------------------------------- build
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Manifests first: the dependency layer is rebuilt only when the lock file or a package.json changes.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY services/ingest/package.json services/ingest/
COPY services/worker/package.json services/worker/
COPY services/ghl-sandbox/package.json services/ghl-sandbox/
COPY services/launcher/package.json services/launcher/
COPY services/tools/package.json services/tools/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY shared/ shared/
COPY services/ services/
RUN npx tsc -b

# -------------------------------------------------------------------------------------------- runtime
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only. npm ci needs every workspace's package.json to match the lock file.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY services/ingest/package.json services/ingest/
COPY services/worker/package.json services/worker/
COPY services/ghl-sandbox/package.json services/ghl-sandbox/
COPY services/launcher/package.json services/launcher/
COPY services/tools/package.json services/tools/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Compiled code only (no sources, tests or dev tools), and the sandbox's static chat page. Files stay
# owned by root: the app cannot change them.
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/services/ingest/dist services/ingest/dist
COPY --from=build /app/services/worker/dist services/worker/dist
COPY --from=build /app/services/ghl-sandbox/dist services/ghl-sandbox/dist
COPY services/ghl-sandbox/chat services/ghl-sandbox/chat
COPY --from=build /app/services/tools/dist services/tools/dist
COPY deploy/docker/healthcheck.js deploy/docker/healthcheck.js

# Read-only root filesystem: the services write nothing to disk (logs go to stdout). Should anyone run
# npm inside the container, its cache and logs go to /tmp, the one writable mount (tmpfs / emptyDir).
ENV NPM_CONFIG_CACHE=/tmp/.npm NPM_CONFIG_UPDATE_NOTIFIER=false
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000

EXPOSE 8000 9100
# No curl in slim images: a few lines of node GET /livez on PORT (ingest) or METRICS_PORT (worker).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "deploy/docker/healthcheck.js"]
CMD ["node", "services/ingest/dist/main.js"]

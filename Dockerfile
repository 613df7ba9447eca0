# Mediary container image: one image for every role (api, worker, migrate, cli).
#   docker build -t mediary .
#   docker run ... mediary                         -> ROLE (default "all")
#   docker run ... mediary node dist/src/migrate.js -> apply migrations
# Local development uses scripts/setup.mjs instead; it is not used here.

# ---- build: compile TypeScript and the dashboard, then keep only production dependencies ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Some npm 11 versions refuse (in `npm ci`) a lockfile without other platforms'
# optional packages; `npm install` honours the same lockfile without that check.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The dashboard (web/) calls the API through the generated client (clients/typescript).
COPY web ./web
COPY clients/typescript ./clients/typescript
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates python3 \
 && rm -rf /var/lib/apt/lists/*
# Debian's yt-dlp is too old for real sites: take the current official release
# (a Python zipapp, hence python3 above). Rebuild the image to update it.
ADD https://github.com/yt-dlp/yt-dlp/releases/latest/download/yt-dlp /usr/local/bin/yt-dlp
RUN chmod 0755 /usr/local/bin/yt-dlp && yt-dlp --version

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

ENV NODE_ENV=production \
    STORAGE_DIR=/data
# Owned by node before VOLUME, so a fresh named volume mounted here is writable.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

USER node
EXPOSE 3000
# Only the api/all roles serve HTTP; docker-compose.yml disables this for worker and migrate.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]

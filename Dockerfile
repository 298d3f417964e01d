# syntax=docker/dockerfile:1
# The Zapgate server. Every build and start step below is a command the test suite runs
# (packages/e2e/test/container-files.test.ts checks that they still are).

# --- build: install the workspace and build the server with everything it needs ---
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npx --yes pnpm@10 install --frozen-lockfile
RUN npx turbo run build --filter=@zapgate/server...

# --- run: the built workspace, as an unprivileged user ---
FROM node:20.19-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ZAPGATE_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# embedded database (without DATABASE_URL), media files, the generated admin key
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--disable-proto=delete", "packages/server/dist/bin/zapgate.js", "start"]

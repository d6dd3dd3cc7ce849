# ibrpc in a container. Not built by this repository's CI (no Docker daemon there): keep it minimal.
#   docker build -t ibrpc .
#   docker run --rm -p 50051:50051 -v ibrpc-data:/data \
#     -e IB_GW=host.docker.internal:4002 -e AUTH_TOKENS_FILE=/run/secrets/ibrpc_tokens \
#     -e TLS_CERT=/run/secrets/tls.crt -e TLS_KEY=/run/secrets/tls.key ibrpc
# Inside a container ibrpc must bind 0.0.0.0, which it refuses without TLS and tokens (or ALLOW_INSECURE_BIND=true
# behind a TLS-terminating proxy on a private network): see README, "Running in production".

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src src
COPY gen gen
COPY proto proto
COPY examples examples
# `npm ci` runs `prepare`, which compiles dist/; then the compiler and test tools are dropped.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=50051 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Read at run time: the database migrations (tsc copies no .sql into dist/).
COPY --from=build /app/src/store/migrations src/store/migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 50051
# node itself is PID 1 (no npm, no shell), so `docker stop`'s SIGTERM reaches ibrpc, which drains and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/src/main.js", "serve"]

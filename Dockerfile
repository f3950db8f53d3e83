# certdocs production image. Build: docker build -t certdocs .
# Run:   docker run -p 80:80 -p 443:443 -v certdocs-data:/data certdocs \
#          --domain docs.example.com --email you@example.com --accept-tos
# Flags and environment variables are the CLI's (README, "Options"); see README, "Deploying".

# Overridable so that a mirror or a pinned digest can stand in for Docker Hub's image.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: dev dependencies, tsc + esbuild bundle -----------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would run the build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs scripts/
COPY src src
RUN npm run build && rm -f dist/.tsbuildinfo

# ---- runtime: production dependencies, the bundle, the bundled docs ------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
# The default corpus (--docs defaults to the docs/ folder beside dist/).
COPY docs docs
COPY scripts/container-healthcheck.mjs scripts/warm-compile-cache.mjs scripts/
# V8's compiled code of every chunk of the bundle, made once here: a container's first start
# (scale to zero) loads it instead of compiling (Node >= 22; see docs/benchmarks.md).
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN node scripts/warm-compile-cache.mjs dist/bin && chown -R node:node /app/.compile-cache

# Certificates, the ACME account and the index cache live on the volume, owned by the node user
# (a named volume starts as a copy of this directory, ownership included).
RUN mkdir -p /data/certs /data/index-cache && chown -R node:node /data
ENV CERTS_DIR=/data/certs \
    INDEX_CACHE=/data/index-cache
VOLUME /data

# Non-root. Ports below 1024 need the runtime to allow them (README, "Deploying"): Docker does by
# default (net.ipv4.ip_unprivileged_port_start=0 in the container's network namespace); Podman
# needs --sysctl net.ipv4.ip_unprivileged_port_start=0.
USER node
# 80: HTTP-01 + redirect to HTTPS, 443: HTTPS (with --domain); 8080: plain HTTP (without).
EXPOSE 80 443 8080

# Reads the server's own flags and environment to know which port and scheme to ask: plain HTTP
# /healthz on --port without a domain; with a domain the ACME port's /healthz, which answers 200
# only once HTTPS serves (or HTTPS /healthz when only tls-alpn-01 is on). No curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/scripts/container-healthcheck.mjs"]

# node as PID 1: certdocs handles SIGTERM/SIGINT itself (drains and exits 0).
# --max-semi-space-size=16: Node 24 lets V8's young generation grow well past Node 20's 16 MB
# semi-spaces while the index is built, and it sits nearly empty at the build's peak: 10k
# documents peaked at 376-378 MB without the flag, 293-318 MB with it; 50k at 1087-1105 MB
# against 981-1033 MB, for 0-14 % more build CPU (docs/benchmarks.md, "Node 24's young generation").
ENTRYPOINT ["node", "--max-semi-space-size=16", "/app/dist/bin/certdocs.js"]

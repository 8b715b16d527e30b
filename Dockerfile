# The image deploy/ runs: `cairn manager` and `cairn node` (and the cairn CLI, for kubectl exec).
#   docker build -t cairn:0.1.0 .
# Build stage: install every dependency, compile the TypeScript, then drop the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b \
 && npm prune --omit=dev --no-audit --no-fund

# Run stage: Node.js plus what the node agent runs: NBD clients (nbdinfo, nbdcopy, nbdfuse; the
# kernel's nbd-client where /dev/nbd* exists), nbdkit, FUSE, losetup/mount (util-linux), mkfs and
# resize tools for ext4 and xfs; tini reaps the child processes those leave.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libnbd-bin nbdkit nbd-client fuse3 e2fsprogs xfsprogs util-linux mount tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
# The .proto files are loaded at run time (packages/api, packages/csi).
COPY --from=build /app/proto ./proto
RUN chmod +x packages/cli/dist/src/main.js \
 && ln -s /app/packages/cli/dist/src/main.js /usr/local/bin/cairn
ENV NODE_ENV=production
ENTRYPOINT ["/usr/bin/tini", "--", "cairn"]
CMD ["--help"]

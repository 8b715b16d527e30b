# The image deploy/ runs: `cairn manager` and `cairn node` (and the cairn CLI, for kubectl exec).
#   docker build -t cairn:0.1.0 .
# deploy/README.md ("The image") says what it contains and how to check it; test/image.test.ts
# runs this file's build-stage commands on a copy of the build context and checks the run stage's
# packages against what `cairn node` runs (packages/csi/src/host-tools.ts).

# Build stage: install every dependency, compile the TypeScript, then drop the dev dependencies.
# npm ci builds the datapath's fallocate addon (packages/datapath/native) with node-gyp, which needs
# python3, make and a C toolchain: gcc compiles, and node-gyp's Makefile links with $(CXX), so g++
# too (it also brings libc6-dev, whose headers gcc alone only recommends). scripts/setup.sh
# installs the same packages on a development machine.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make gcc g++ libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b \
 && npm prune --omit=dev --no-audit --no-fund

# Run stage: Node.js plus every program `cairn node` runs (HOST_TOOLS in
# packages/csi/src/host-tools.ts, by Debian package): NBD clients (libnbd-bin: nbdfuse, nbdinfo;
# nbd-client for the kernel's client where /dev/nbd* exists), fuse3 (fusermount3), mount
# (mount, umount, losetup), util-linux (blkid, blockdev), coreutils (dd), e2fsprogs and xfsprogs
# (mkfs, resize2fs, e2fsck, xfs_growfs). tini reaps the child processes those leave.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libnbd-bin nbd-client fuse3 mount util-linux coreutils e2fsprogs xfsprogs tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
# packages/*: the compiled code (dist), and the fallocate addon (packages/datapath/build/Release).
COPY --from=build /app/packages ./packages
# The .proto files are loaded at run time (packages/api, packages/csi).
COPY --from=build /app/proto ./proto
RUN chmod +x packages/cli/dist/src/main.js \
 && ln -s /app/packages/cli/dist/src/main.js /usr/local/bin/cairn
ENV NODE_ENV=production
ENTRYPOINT ["/usr/bin/tini", "--", "cairn"]
CMD ["--help"]

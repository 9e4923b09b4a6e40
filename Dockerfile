# ShopOps OpenEnv server: `shopops serve` on port 8000.
# Build: docker build -t shopops .     Run: docker run --rm -p 8000:8000 shopops
# Runs as uid:gid 65532:65532 with a read-only root file system; it writes nothing (only /tmp
# would be writable). Every file is world-readable, so any other non-root uid works too.
# .ci/docker-steps.sh mirrors these steps without a Docker engine; keep the two in step.

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin shopops \
 && mkdir -p /out/usr/local/bin /out/app \
 && cp target/release/shopops /out/usr/local/bin/shopops \
 && cp -r scenarios /out/app/scenarios \
 && chmod -R a+rX,go-w /out \
 && chmod 0755 /out/usr/local/bin/shopops

FROM debian:bookworm-slim
COPY --from=builder /out/usr/local/bin/shopops /usr/local/bin/shopops
COPY --from=builder /out/app/scenarios /app/scenarios
WORKDIR /app
# glibc's mmap threshold fixed at 32 KiB: freed buffers of that size or more (WebSocket message
# buffers) go back to the system at once, instead of staying in the heap (README, memory budget).
ENV HOME=/tmp TMPDIR=/tmp MALLOC_MMAP_THRESHOLD_=32768
EXPOSE 8000
USER 65532:65532
# No curl in bookworm-slim: bash's /dev/tcp asks /health and checks for a 200 status line.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8000 && printf "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
CMD ["shopops", "serve", "--host", "0.0.0.0", "--port", "8000", "/app/scenarios"]

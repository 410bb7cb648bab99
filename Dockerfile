# The ferry image: `ferry` on a slim Debian with git and CA certificates.
# Build: docker build -t ghcr.io/ferry-dev/ferry:0.1.0 .
# Run in a cluster: ferry install --image ghcr.io/ferry-dev/ferry:0.1.0 --apply

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ferry-cli --bin ferry \
 && cp target/release/ferry /usr/local/bin/ferry

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 999 ferry \
 && useradd --uid 999 --gid 999 --home-dir /var/cache/ferry --create-home ferry
COPY --from=builder /usr/local/bin/ferry /usr/local/bin/ferry
USER 999:999
ENV HOME=/var/cache/ferry
ENTRYPOINT ["/usr/local/bin/ferry"]
CMD ["controller"]

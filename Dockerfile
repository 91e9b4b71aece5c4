# Release image: the `district` binary plus the built site.
FROM rust:1-bookworm AS build
RUN rustup target add wasm32-unknown-unknown \
 && cargo install --locked cargo-leptos@0.3.10 \
 && cargo install wasm-bindgen-cli --version 0.2.130 \
 && apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && LEPTOS_ENV=PROD cargo leptos build --release --precompress --split

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 district \
 && useradd --system --uid 10001 --gid district --no-create-home --shell /usr/sbin/nologin district \
 && mkdir -p /data/posters && chown district:district /data/posters
WORKDIR /app
COPY --from=build /src/target/release/district /src/target/release/hash.txt /usr/local/bin/
COPY --from=build /src/target/site /app/target/site
ENV APP_ENV=production LEPTOS_SITE_ROOT=/app/target/site LEPTOS_ENV=PROD APP_HOST=0.0.0.0 POSTER_DIR=/data/posters
# Uploaded posters outlive the container.
VOLUME /data/posters
EXPOSE 8080
# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
CMD ["district", "serve"]

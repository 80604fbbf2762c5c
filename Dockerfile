# sorn-server image. Build from the repository root:
#   docker build -t sorn-server .
#   docker run -p 50051:50051 -p 9464:9464 -v sorn-data:/var/lib/sorn sorn-server
# The build stage installs and builds exactly as CI does (deploy/install-deps.sh
# and README's CMake commands; tests/deploy/test_manifests.py checks that they
# match); the runtime stage holds only the binaries and the Debian libraries
# they link (the same test derives that list from the binaries with ldd).

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN bash deploy/install-deps.sh
RUN cmake -S . -B build && cmake --build build -j"$(nproc)"

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libabsl20220623 libc-ares2 libcivetweb1 libgrpc++1.51 libgrpc29 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libprotobuf32 \
      libre2-9 libssl3 libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/sorn \
      --create-home --shell /usr/sbin/nologin sorn
COPY --from=build /src/build/server/sorn-server /src/build/client/cpp/sornctl /usr/local/bin/
USER 10001:10001
# Sessions are written here (--data_dir) and reloaded at start.
VOLUME /var/lib/sorn
# gRPC, and Prometheus /metrics.
EXPOSE 50051 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["sornctl", "--address=127.0.0.1:50051", "health"]
ENTRYPOINT ["sorn-server"]
# Working defaults: all interfaces, sessions kept in the volume, metrics on.
# Without --auth_tokens this is single-user local mode (see README "Running a
# shared server" before exposing it beyond your machine).
CMD ["--host=0.0.0.0", "--port=50051", "--data_dir=/var/lib/sorn", "--metrics_port=9464"]

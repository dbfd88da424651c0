# syntax=docker/dockerfile:1
# Multi-stage build: a static binary (pure Go, no cgo) on a distroless base,
# running as a non-root user with the data directory as a volume.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/daoyi-health/daoyi/app.Version=${VERSION}" \
      -o /out/daoyi ./cmd/daoyi \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/daoyi /usr/local/bin/daoyi
# The nonroot user (65532) owns the data directory: SQLite file and search index.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DAOYI_DATA=/data \
    DAOYI_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/daoyi"]
CMD ["serve"]

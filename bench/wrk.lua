-- wrk driver for bench/run.mjs. BENCH_MODE picks the request (me, todos, create, update, login);
-- BENCH_USERS names a file of "access_token todo_id email password" lines, one per seeded user,
-- taken in turn so every request is a different user's. done() prints one JSON line.
local mode = os.getenv("BENCH_MODE")
local users = {}
for line in io.lines(os.getenv("BENCH_USERS")) do
  local token, todo, email, password = line:match("^(%S+) (%S+) (%S+) (%S+)$")
  users[#users + 1] = { token = token, todo = todo, email = email, password = password }
end

local next_thread = 0
function setup(thread)
  thread:set("offset", next_thread)
  next_thread = next_thread + 1
end

local i
local flip = false
function request()
  i = ((i or offset * 7) % #users) + 1
  local u = users[i]
  local auth = { ["Authorization"] = "Bearer " .. u.token }
  if mode == "me" then
    return wrk.format("GET", "/users/me", auth)
  elseif mode == "todos" then
    return wrk.format("GET", "/todos", auth)
  elseif mode == "create" then
    auth["Content-Type"] = "application/json"
    return wrk.format("POST", "/todos", auth, '{"title":"Benchmark todo","description":"written under load"}')
  elseif mode == "update" then
    flip = not flip
    auth["Content-Type"] = "application/json"
    return wrk.format("PATCH", "/todos/" .. u.todo, auth, '{"completed":' .. tostring(flip) .. '}')
  elseif mode == "login" then
    return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/x-www-form-urlencoded" },
      "grant_type=password&username=" .. u.email .. "&password=" .. u.password)
  end
  error("unknown BENCH_MODE " .. tostring(mode))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end

"""The one-file check at 10M with the final code: a first run (builds the cache for this code),
then N runs of the bench's child op and of the whole `collabkg validate FILE` command."""
import json, subprocess, sys, time, os
from pathlib import Path
ROOT = Path("/work/b8")
sys.path.insert(0, str(ROOT / "bench")); sys.path.insert(0, str(ROOT / "src"))
import run as bench  # noqa
data = Path("/work/bench-data/10M")
env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
py = str(ROOT / ".venv/bin/python")
out = []
def child(path):
    t = time.perf_counter()
    p = subprocess.run([py, str(ROOT / "bench/run.py"), "--child", "validate-one", "--root", str(data),
                        "--runs", "1", "--engine", "auto", "--baseline-timeout", "30", "--file", str(path)],
                       env=env, capture_output=True, text=True)
    line = [l for l in p.stdout.splitlines() if l.startswith("BENCH-RESULT ")][-1]
    r = json.loads(line.split(" ", 1)[1]); r["wall_outer"] = time.perf_counter() - t
    return r
def cli(path):
    t = time.perf_counter(); c0 = os.times()
    p = subprocess.run([py, "-m", "collabkg", "--root", str(data), "validate", str(path)], env=env, capture_output=True)
    c1 = os.times()
    return {"wall": time.perf_counter() - t, "cpu": (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system), "exit": p.returncode}
first = bench.new_case_file(data, 500)
r = child(first); r["kind"] = "first"; r["load"] = os.getloadavg(); out.append(r); print("first", r["seconds"], r.get("cpu_seconds"), flush=True)
first.unlink()
for n in range(3):
    path = bench.new_case_file(data, 501 + n)
    r = child(path); r["kind"] = "child"; r["load"] = os.getloadavg(); out.append(r); print("child", round(r["seconds"],2), round(r["cpu_seconds"],2), r["load"], flush=True)
    path.unlink()
for n in range(3):
    path = bench.new_case_file(data, 601 + n)
    r = cli(path); r["kind"] = "cli"; r["load"] = os.getloadavg(); out.append(r); print("cli", round(r["wall"],2), round(r["cpu"],2), r["exit"], r["load"], flush=True)
    path.unlink()
import shutil; shutil.rmtree(data / "data" / "cases" / "new", ignore_errors=True)
Path(sys.argv[1]).write_text(json.dumps({"code": subprocess.run(["git","-C",str(ROOT),"rev-parse","--short","HEAD"],capture_output=True,text=True).stdout.strip(), "runs": out}, indent=1))

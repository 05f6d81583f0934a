#!/usr/bin/env python3
"""Time from process start to the wizard's first frame, measured in a pseudo-terminal:
the clock stops when the header of the first frame has been written. Also reports the
CPU time the wizard uses while idle on the start screen (it should draw on events only)."""
import fcntl, os, pty, select, statistics, struct, sys, tempfile, termios, time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/connect-sso"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30

def first_frame(state_dir):
    pid, fd = pty.fork()
    if pid == 0:
        # A pseudo-terminal starts at 0x0: give it the size of a real window.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {"HOME": state_dir, "XDG_STATE_HOME": state_dir, "TERM": "xterm-256color",
               "PATH": os.environ.get("PATH", "")}
        os.execve(binary, [binary, "--sandbox", "--new"], env)
    start = time.perf_counter()
    seen = b""
    elapsed = None
    while time.perf_counter() - start < 10:
        r, _, _ = select.select([fd], [], [], 0.5)
        if fd in r:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if b"connect-sso" in seen and b"session" in seen:
                elapsed = time.perf_counter() - start
                break
    return pid, fd, elapsed

times = []
for _ in range(runs):
    with tempfile.TemporaryDirectory() as d:
        pid, fd, t = first_frame(d)
        os.write(fd, b"q")
        os.waitpid(pid, 0)
        os.close(fd)
        if t is not None:
            times.append(t * 1000)

print(f"first frame: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
      f"max {max(times):.1f} ms over {len(times)} runs")

# Idle CPU: leave the wizard on its start screen for 3 s and read its CPU time.
with tempfile.TemporaryDirectory() as d:
    pid, fd, _ = first_frame(d)
    time.sleep(0.5)
    def cpu():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = cpu()
    time.sleep(3)
    after = cpu()
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    print(f"idle CPU: {(after - before) * 1000:.0f} ms of CPU in 3 s on the start screen")

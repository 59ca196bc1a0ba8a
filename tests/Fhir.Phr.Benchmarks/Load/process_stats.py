"""What the load scripts read about the server process they measure."""


def peak_rss_mib(pid: str) -> float:
    """The process's peak resident set (VmHWM) in MiB, or NaN when /proc does not say."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")

"""Work done in a forked child that reports back through a pipe (page_writer's parallel steps).

A fork shares the build's memory as it is, with every object at its id: nothing is pickled on the
way in, only the child's answer (bytes) on the way out.
"""

import os
import traceback


def start(work) -> tuple[int, int]:
    """Run `work()`, which returns bytes, in a forked child; (pid, read end of the pipe the child
    writes them to). If `work` raises, the child writes `describe(error)` instead and exits 1."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the child)
        os.close(read_end)
        status = 0
        try:
            answer = work()
        except BaseException as error:
            text = error.describe() if hasattr(error, "describe") else traceback.format_exc()
            answer, status = text.encode("utf-8", "replace"), 1
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(answer)
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def finish(child: tuple[int, int]) -> tuple[int, bytes]:
    """(exit status, answer) of a child `start` made, once it has ended."""
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), answer

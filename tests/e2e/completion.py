"""What the tests of the shell completion share (test_man_completion.py on the build,
test_debian.py on the packages): bash's programmable completion driven in `bash -c`."""
import subprocess
from pathlib import Path

BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")


def bash_complete(script, line, helpers=True, setup=""):
    """What `script`'s completion offers for `line`, completed at its end: with
    bash-completion's helpers loaded (an interactive shell's set-up) or without them."""
    prog = f"""
{f'source {BASH_COMPLETION}' if helpers else ''}
source {script}
{setup}
COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_aimeter aimeter "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()

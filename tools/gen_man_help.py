"""Reads the built aimeter's own --help texts into a small model, for the man pages
(tools/gen_man.py) and the bash and zsh completion (tools/gen_completion.py).

The help texts are the one source: a command or option added to the CLI is in its man page
and its completion the next time the project builds, with nothing else to edit. They are
free text meant for people, so this reads only what their layout already says:

- `Usage: aimeter CMD ...` and the lines that continue it (up to the first blank line);
- option lines: indented, starting with `-`; the option names and their argument, then
  (after a gap of two spaces, or at the column the other lines of the block use) the
  description, continued by the deeper indented lines below;
- indented lines that are not options (the command list of `aimeter --help`): a list of
  term and description;
- anything else: paragraphs.

The command list comes from `aimeter --help` ("Commands:"), so a command is documented and
completed when it is listed there; each one's `aimeter CMD --help` must exit 0.
"""
import os
import re
import subprocess

OPTION_LINE = re.compile(r"^( {1,10})(-{1,2}[A-Za-z0-9?])")
# A piece of an option spec: where one option ends and the next starts (a comma and a space,
# or a space before a dash: "--lat X --lon Y"). "NAME:tdp=W,tflops=T" has no space: one arg.
PIECE_SPLIT = re.compile(r",\s+|\s+(?=--?[A-Za-z0-9])")
NAME_ARG = re.compile(r"^(-{1,2}[A-Za-z0-9?][\w-]*)(?:[ =](.+))?$")
# Choices written into an argument or a usage line: "--format text|json|html", "X|aws|gcp".
INLINE_CHOICES = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][\w-]*)[ =]\[?"
                            r"([a-z][\w-]*(?:\|[a-z0-9][\w-]*)+)")
# A description that starts by listing its values: "text (default), json (...), or html: ..."
WORD = r"([a-z][a-z0-9_-]*)(?: \([^)]*\))?"
NEXT_WORD = rf"(?:,| or|, or) {WORD}"
LEADING_LIST = re.compile(rf"^{WORD}((?:{NEXT_WORD})+)(?=$|[:;.]| \(|, )")


class Option:
    """One option: its names (-i, --interval), its argument's metavar or None, and the
    description of the line it came from."""

    def __init__(self, names, arg, desc):
        self.names, self.arg, self.desc = names, arg, desc
        self.choices = []

    @property
    def takes_arg(self):
        return self.arg is not None

    @property
    def repeatable(self):
        return "repeat" in self.desc or bool(re.search(r"(?<![\w-])-(\w)\1+\b", self.desc))  # -qq

    def value_kind(self):
        """What its argument is, for completion: 'file', 'run', 'choice' or None."""
        if self.arg is None:
            return None
        if self.choices:
            return "choice"
        metavar = self.arg.split()[0]
        if metavar.strip("[]") == "RUN" or metavar.startswith("RUN"):
            return "run"
        # a file, or a store (a path; a postgresql:// URL is typed whole)
        if re.search(r"FILE|PATH|DIR\b|^(STORE|SRC|DEST)$", metavar) or \
                set(self.names) & {"--db", "--spool", "--socket", "--cacert"}:
            return "file"
        return None


class Item:
    """An option line (or several, for a spec that goes on: agent's carbon options): its
    spec as written, the options in it, and its description."""

    def __init__(self, spec, desc):
        self.spec, self.desc = spec.strip(), desc.strip()
        self.also = []  # specs the description ends with (top's "... in\n --password-file FILE")

    def options(self):
        out, pending_short = [], []
        pieces = [p for s in [self.spec] + self.also for p in PIECE_SPLIT.split(s.rstrip(","))]
        for piece in pieces:
            piece = piece.strip().rstrip(",")
            m = NAME_ARG.match(piece)
            if not m:
                continue
            name, arg = m.group(1), m.group(2)
            if arg is None and re.fullmatch(r"-[A-Za-z0-9?]", name):
                # "-i, --interval DURATION": the short one takes the long one's argument
                pending_short.append(name)
                continue
            out.append(Option(pending_short + [name], arg, self.desc))
            pending_short = []
        if pending_short:
            out.append(Option(pending_short, None, self.desc))
        return out


class Help:
    """One --help text: usage lines, then blocks ('para', [lines]), ('opts', [Item]),
    ('list', [[term, desc]])."""

    def __init__(self, text):
        self.text = text
        self.usage, self.blocks = [], []
        lines = text.rstrip("\n").split("\n")
        i = 0
        if lines and lines[0].startswith("Usage:"):
            self.usage.append(lines[0][len("Usage:"):].strip())
            i = 1
            while i < len(lines) and lines[i].strip():
                if lines[i].strip().startswith("aimeter "):
                    self.usage.append(lines[i].strip())
                else:
                    self.usage[-1] += " " + lines[i].strip()
                i += 1
        self._parse(lines[i:])

    def _parse(self, lines):
        cur = None  # the block lines go into
        for line in lines:
            if not line.strip():
                cur = None
                continue
            if OPTION_LINE.match(line):
                if cur is None or cur[0] != "opts":
                    cur = ("opts", [])
                    self.blocks.append(cur)
                items = cur[1]
                spec, desc = _split_option_line(line)
                if items and not items[-1].desc and items[-1].spec.endswith(","):
                    items[-1].spec += " " + spec  # the spec goes on (aimeter agent's)
                    items[-1].desc = desc
                elif items and not desc and items[-1].desc and \
                        not re.search(r"[.;:)]$", items[-1].desc):
                    # the previous description goes on with an option: "with the password
                    # in\n --password-file FILE"
                    items[-1].desc += " " + spec
                    items[-1].also.append(spec)
                else:
                    items.append(Item(spec, desc))
            elif line.startswith(" ") and cur is not None and cur[0] == "opts" and cur[1]:
                last = cur[1][-1]
                last.desc = (last.desc + " " + line.strip()).strip()
            elif line.startswith(" "):
                m = re.match(r"^\s+(\S.*?)(?:\s{2,}(\S.*))?$", line)
                term, desc = m.group(1), m.group(2) or ""
                if cur is not None and cur[0] == "list" and cur[1] and \
                        len(line) - len(line.lstrip()) > 4:
                    cur[1][-1][1] = (cur[1][-1][1] + " " + line.strip()).strip()
                    continue
                if cur is None or cur[0] != "list":
                    cur = ("list", [])
                    self.blocks.append(cur)
                cur[1].append([term, desc])
            else:
                # "Keys: ...", "Exit: ..." after a finished sentence start a paragraph
                new_topic = cur is not None and cur[0] == "para" and cur[1] and \
                    cur[1][-1].endswith(".") and re.match(r"^[A-Z][\w ]{0,24}: ", line)
                if cur is None or cur[0] != "para" or new_topic:
                    cur = ("para", [])
                    self.blocks.append(cur)
                cur[1].append(line.strip())

    def items(self):
        return [it for kind, body in self.blocks if kind == "opts" for it in body]

    def options(self):
        """Every option, with the choices its argument has where the text names them."""
        opts = [o for it in self.items() for o in it.options()]
        # options that only the usage lines name (aimeter mark [--job ID] TEXT...)
        known = {n for o in opts for n in o.names}
        for u in self.usage:
            for name, arg in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)(?:[ =]([^\s\]|]+))?",
                                        _usage_tokens_text(u)):
                if name not in known and name != "--":
                    known.add(name)
                    opts.append(Option([name], arg if arg and _is_metavar(arg) else None, ""))
        inline = {}
        for src in self.usage + [o.arg or "" for o in opts]:
            for name, values in INLINE_CHOICES.findall(src):
                inline.setdefault(name, [v for v in values.split("|")])
        for o in opts:
            if o.arg is None:
                continue
            for name in o.names:
                if name in inline:
                    o.choices = inline[name]
            if not o.choices and "|" in o.arg:
                # "--pue X|aws|gcp|azure": the lower-case alternatives are literal values
                vals = [v for v in re.split(r"[|\s]", o.arg) if re.fullmatch(r"[a-z][\w-]*", v)]
                if len(vals) >= 2:
                    o.choices = vals
            if not o.choices:
                m = LEADING_LIST.match(o.desc)
                if m:
                    o.choices = [m.group(1)] + re.findall(NEXT_WORD, m.group(2))
        return opts

    def paragraphs(self):
        return [" ".join(body) for kind, body in self.blocks if kind == "para"]


def _split_option_line(line, col=None):
    """(spec, description) of an option line. The spec is the options and one argument
    each ("--lat X --lon Y", "--until 'phase NAME ends'"); the description starts at the
    first word that is neither: most lines leave two spaces there, some one ("-o, --output
    FILE write it to FILE")."""
    body = line.strip()
    toks = body.split(" ")
    n, want_arg, quoted = 0, False, False
    while n < len(toks):
        t = toks[n]
        if quoted:
            quoted = not t.endswith("'")
        elif t == "":
            if n + 1 < len(toks) and toks[n + 1] == "":
                break  # a gap of two spaces: the description follows
        elif t.startswith("-"):
            want_arg = not t.endswith(",")
        elif want_arg and _is_metavar(t):
            want_arg = False
            quoted = t.startswith("'") and not (len(t) > 1 and t.endswith("'"))
        else:
            break
        n += 1
    spec = " ".join(toks[:n]).strip()
    return spec, " ".join(toks[n:]).strip()


def _is_metavar(t):
    """An option's argument as the help texts write it: upper case or punctuated (FILE,
    [ADDR:]PORT, KEY=VALUE, X|aws|gcp, WxH, 'phase NAME ends'), never a plain word."""
    return bool(re.search(r"[A-Z]", t) or re.search(r"[\[\]|:=<>']", t))


class Command:
    def __init__(self, name, summary, help_text):
        self.name, self.summary, self.help = name, summary, Help(help_text)

    def positional_words(self):
        """Literal words a usage line of this command takes where an argument goes
        (`aimeter phase begin NAME`: begin, end)."""
        words = []
        for u in self.help.usage:
            toks = _usage_tokens(u)
            if toks[:2] != ["aimeter", self.name]:
                continue
            skip = False
            for t in toks[2:]:
                if skip:
                    skip = False
                    continue
                if t.lstrip("[(").startswith("-"):
                    skip = not t.endswith("]") and t.lstrip("[(") != "--"
                    continue
                if re.fullmatch(r"[a-z][a-z0-9-]*", t) and t not in words:
                    words.append(t)
        return words

    def takes_run(self):
        return any(re.search(r"(?<![-\w])\[?RUN\b", _strip_options(u)) for u in self.help.usage
                   if u.startswith("aimeter " + self.name))

    def takes_command(self):
        """`aimeter run [OPTIONS] [--] COMMAND [ARGS...]`: the rest is a command line."""
        return any(re.search(r"\bCOMMAND \[ARGS", u) for u in self.help.usage
                   if u.startswith("aimeter " + self.name))


def _usage_tokens_text(u):
    u = re.sub(r"\((?!-)[^)]*\)", " ", u)  # remarks: "(every run tagged KEY)"
    return re.sub(r"'[^']*'", "ARG", u)     # quoted arguments: --until 'phase NAME ends'


def _usage_tokens(u):
    return _usage_tokens_text(u).split()


def _strip_options(u):
    """A usage line without its options and their arguments (--baseline RUN is not a RUN
    the command takes in place)."""
    return re.sub(r"--?[A-Za-z][\w-]*(?:[ =][^\s\]\[-][^\s\]]*)?", " ", u)


class Cli:
    """`aimeter --help` and every listed command's --help."""

    def __init__(self, aimeter, env=None):
        self.aimeter = aimeter
        self.env = env if env is not None else _clean_env()
        top = self._help([])
        self.top = Help(top)
        self.description = next(iter(self.top.paragraphs()), "")
        self.version = self._run(["--version"]).strip().split()[-1]
        self.commands = []
        for name, summary in self._command_list():
            self.commands.append(Command(name, summary, self._help([name])))

    def _run(self, args):
        r = subprocess.run([self.aimeter] + args, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, env=self.env, timeout=60)
        if r.returncode != 0:
            raise SystemExit(f"{self.aimeter} {' '.join(args)} exited {r.returncode}: "
                             f"{r.stderr.strip()}")
        return r.stdout

    def _help(self, cmd):
        return self._run(cmd + ["--help"])

    def _command_list(self):
        """(name, summary) of each command in the "Commands:" list of `aimeter --help`, in
        its order; a command listed twice (whatif) has its summaries joined."""
        out = {}
        for kind, body in self.top.blocks:
            if kind != "list":
                continue
            for term, desc in body:
                for part in term.split(" | "):
                    name = part.split()[0]
                    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                        continue
                    if name in out and desc and desc not in out[name]:
                        out[name] += "; " + desc
                    else:
                        out.setdefault(name, desc)
        if not out:
            raise SystemExit(f"{self.aimeter} --help lists no commands")
        return list(out.items())


def _clean_env():
    """The environment the help texts are read in: the C locale (no translated or
    terminal-dependent text) and no COLUMNS (a help that fits the terminal would wrap
    differently on each machine)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES") and not k.startswith("LC_")}
    env["LC_ALL"] = "C.UTF-8"
    env["LANG"] = "C.UTF-8"
    return env

#!/usr/bin/env python3
"""Function lengths in C++ sources, measured by libclang (python3-clang-14).

Prints every function defined in the given folders that is at least --max
lines long (from its signature to its closing brace; a lambda counts as part
of the function it is written in) and exits 1 if there is any. ctest runs it
over server/ with --max=60: handlers are meant to be a screenful.

usage: function_lengths.py --build=BUILD_DIR --max=60 [--list] FOLDER...
The compile commands come from BUILD_DIR/compile_commands.json.
"""
import argparse
import json
import os
import sys

import clang.cindex as cindex

LIBCLANG = "/usr/lib/llvm-14/lib/libclang.so.1"
FUNCTION_KINDS = {
    cindex.CursorKind.FUNCTION_DECL,
    cindex.CursorKind.CXX_METHOD,
    cindex.CursorKind.CONSTRUCTOR,
    cindex.CursorKind.DESTRUCTOR,
    cindex.CursorKind.FUNCTION_TEMPLATE,
    cindex.CursorKind.CONVERSION_FUNCTION,
}


def compile_args(entry):
    """The entry's arguments without the compiler, -c, -o and the source."""
    args = entry.get("arguments") or entry["command"].split()
    out, skip = [], False
    for arg in args[1:]:
        if skip:
            skip = False
            continue
        if arg in ("-c", entry["file"]):
            continue
        if arg == "-o":
            skip = True
            continue
        out.append(arg)
    return out


def functions(tu, folders):
    """(file, line, length, name) of every function body in `folders`."""
    found = []

    def visit(cursor):
        for child in cursor.get_children():
            loc = child.location.file
            if loc is None or not any(
                    loc.name.startswith(f) for f in folders):
                # Declarations in other files hold nothing of ours, but a
                # namespace opened in a header may continue in the source.
                if child.kind != cindex.CursorKind.NAMESPACE:
                    continue
            if child.kind in FUNCTION_KINDS and child.is_definition():
                extent = child.extent
                length = extent.end.line - extent.start.line + 1
                found.append((loc.name, extent.start.line, length,
                              child.semantic_parent.spelling + "::" +
                              child.spelling))
            elif child.kind in (cindex.CursorKind.NAMESPACE,
                                cindex.CursorKind.CLASS_DECL,
                                cindex.CursorKind.STRUCT_DECL,
                                cindex.CursorKind.CLASS_TEMPLATE):
                visit(child)

    visit(tu.cursor)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--max", type=int, default=60)
    parser.add_argument("--list", action="store_true",
                        help="print the ten longest functions too")
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args()
    folders = [os.path.realpath(f) + os.sep for f in args.folders]
    cindex.Config.set_library_file(LIBCLANG)
    index = cindex.Index.create()
    with open(os.path.join(args.build, "compile_commands.json")) as f:
        entries = json.load(f)
    seen = {}
    parsed = 0
    for entry in entries:
        path = os.path.realpath(entry["file"])
        if not any(path.startswith(f) for f in folders):
            continue
        os.chdir(entry["directory"])
        tu = index.parse(path, compile_args(entry))
        parsed += 1
        for fn in functions(tu, folders):
            seen[(fn[0], fn[1])] = fn
    if parsed == 0:
        print("function_lengths: no sources of", args.folders, "in",
              args.build)
        return 1
    ordered = sorted(seen.values(), key=lambda fn: -fn[2])
    if args.list:
        for file, line, length, name in ordered[:10]:
            print(f"{length:4d} lines  {name}  {file}:{line}")
    long = [fn for fn in ordered if fn[2] >= args.max]
    for file, line, length, name in long:
        print(f"{file}:{line}: {name} is {length} lines (limit {args.max})")
    print(f"function_lengths: {len(seen)} functions in {parsed} sources, "
          f"longest {ordered[0][2] if ordered else 0} lines, "
          f"{len(long)} at or over {args.max}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())

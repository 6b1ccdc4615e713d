#!/usr/bin/env python3
"""Runs a composite action's steps the way a GitHub runner does, for tests.

usage: run_action.py ACTION_DIR INPUTS_JSON RESULT_JSON

Each `run` step is executed with `bash --noprofile --norc -eo pipefail`
(GitHub's `shell: bash`), in its working-directory under $GITHUB_WORKSPACE,
with the step's `env` evaluated; $GITHUB_OUTPUT is a fresh file per step
whose name=value lines become the step's outputs. Expressions supported:
inputs.*, github.action_path, steps.*.outputs.*; anything else is an error,
as is an expression inside a `run` script (inputs must arrive via env).
The result file gets {"status": N, "failed_step": NAME|null, "outputs": {...}}.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def main():
    action_dir, inputs_json, result_path = sys.argv[1:4]
    with open(os.path.join(action_dir, "action.yml")) as f:
        action = yaml.safe_load(f)
    given = json.loads(inputs_json)
    assert action["runs"]["using"] == "composite", "not a composite action"
    inputs = {}
    for name, spec in action.get("inputs", {}).items():
        inputs[name] = str(given.get(name, spec.get("default", "")))
    unknown = set(given) - set(inputs)
    assert not unknown, "unknown inputs: %s" % unknown
    steps_out = {}

    def evaluate(text):
        def one(m):
            expr = m.group(1)
            parts = expr.split(".")
            if parts[0] == "inputs" and len(parts) == 2:
                return inputs[parts[1]]
            if expr == "github.action_path":
                return action_dir
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return steps_out.get(parts[1], {}).get(parts[3], "")
            raise SystemExit("unsupported expression: " + expr)
        return EXPR.sub(one, str(text))

    status, failed = 0, None
    for i, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", "step %d" % i)
        assert "run" in step, "%s: only run steps are supported" % name
        assert step.get("shell") == "bash", "%s: composite run steps need shell: bash" % name
        assert "${{" not in step["run"], "%s: expression inside a run script" % name
        env = dict(os.environ)
        for k, v in (step.get("env") or {}).items():
            env[k] = evaluate(v)
        fd, out_file = tempfile.mkstemp(prefix="github_output.")
        os.close(fd)
        env["GITHUB_OUTPUT"] = out_file
        cwd = os.path.join(os.environ["GITHUB_WORKSPACE"],
                           evaluate(step.get("working-directory", ".")))
        fd, script = tempfile.mkstemp(suffix=".sh")
        with os.fdopen(fd, "w") as f:
            f.write(step["run"])
        rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                             cwd=cwd, env=env)
        os.unlink(script)
        outputs = {}
        with open(out_file) as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    outputs[k] = v
        os.unlink(out_file)
        if "id" in step:
            steps_out[step["id"]] = outputs
        if rc != 0:
            status, failed = rc, name
            break
    result = {"status": status, "failed_step": failed,
              "outputs": {k: evaluate(v["value"]) for k, v in action.get("outputs", {}).items()}}
    with open(result_path, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())

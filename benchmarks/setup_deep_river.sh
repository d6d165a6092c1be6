#!/usr/bin/env bash
# Creates benchmarks/.venv-deep-river: deep-river in a venv of its own, for benchmarks/neural.py.
#
# deep-river 0.3.4 pins river<0.26 and torch<2.6, which clash with the project's venv (River
# 0.26, torch 2.13). Here torch 2.13.0 is installed first (the CPU build pip finds on this
# machine), then deep-river without its dependencies, then what it really imports. torchviz
# (graph drawing only) is left out, so pip reports deep-river's unmet pins (torch<2.6,
# torchviz, tqdm~=4.66.5): that is expected.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-deep-river"
python="${PYTHON:-python3}"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "torch==2.13.0"
"$venv/bin/python" -m pip install --quiet --no-deps "deep-river==0.3.4"
"$venv/bin/python" -m pip install --quiet "river==0.25.*" "numpy>=2.3.4,<3" "pandas>=2.2,<3" \
    "scikit-learn>=1.5.1,<2" "sortedcontainers>=2.4" "tqdm>=4.66" pytest
"$venv/bin/python" -c "import deep_river, river, torch; print('deep-river', deep_river.__version__, \
'river', river.__version__, 'torch', torch.__version__)"

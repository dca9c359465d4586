"""A PyTorch-free training script configured by mcfg (see README.md).

    python train.py                              # the config as the sources give it
    python train.py optim.lr=0.01 epochs=5       # Hydra-style overrides (mcfg --set)
    python train.py --help                       # the config's fields, types and docs
    python train.py --build out/sweep/3          # train one point of `mcfg build --sweep`

With `--build`, the artifact is read hash-verified from the build folder and,
when MLflow is installed, logged with its hash and overrides
(`mcfg.mlflow.log_build`) next to the run's final loss.
"""

import math
import random
import sys
from pathlib import Path

import mcfg

HERE = Path(__file__).resolve().parent


def train(cfg):
    """Minibatch SGD with momentum on y = w·x + noise; returns the final mean squared error."""
    rng = random.Random(cfg["seed"])
    d = cfg["data"]
    true_w = [rng.uniform(-2, 2) for _ in range(d["n_features"])]
    xs = [[rng.gauss(0, 1) for _ in range(d["n_features"])] for _ in range(d["n_samples"])]
    ys = [sum(w * x for w, x in zip(true_w, row)) + rng.gauss(0, d["noise"]) for row in xs]
    w = [0.0] * d["n_features"]
    velocity = [0.0] * d["n_features"]
    lr, momentum = cfg["optim"]["lr"], cfg["optim"]["momentum"]
    order = list(range(d["n_samples"]))
    for _ in range(cfg["epochs"]):
        rng.shuffle(order)
        for start in range(0, len(order), d["batch_size"]):
            batch = order[start : start + d["batch_size"]]
            grad = [0.0] * d["n_features"]
            for i in batch:
                err = sum(wj * xj for wj, xj in zip(w, xs[i])) - ys[i]
                for j, xj in enumerate(xs[i]):
                    grad[j] += 2 * err * xj / len(batch)
            velocity = [momentum * v - lr * g for v, g in zip(velocity, grad)]
            w = [wj + vj for wj, vj in zip(w, velocity)]
    loss = sum((sum(wj * xj for wj, xj in zip(w, row)) - y) ** 2 for row, y in zip(xs, ys)) / len(ys)
    return loss if math.isfinite(loss) else float("inf")


@mcfg.main(sources=HERE, config="trainer")
def from_sources(cfg):
    print(f"lr={cfg['optim']['lr']} batch_size={cfg['data']['batch_size']} loss={train(cfg):.6f}")


def from_build(build_dir):
    cfg = mcfg.load(build_dir, config="trainer")  # refuses an artifact edited after the build
    loss = train(cfg)
    try:
        import mlflow
    except ImportError:
        mlflow = None
    if mlflow is not None:
        from mcfg.mlflow import log_build

        with mlflow.start_run(run_name=Path(build_dir).name):
            tags = log_build(build_dir, config="trainer")
            mlflow.log_metric("loss", loss)
        print(f"{build_dir}: loss={loss:.6f} sha256={tags['mcfg.sha256'][:12]} (logged to MLflow)")
    else:
        print(f"{build_dir}: loss={loss:.6f} (pip install mlflow to log the run)")
    return loss


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        from_build(sys.argv[2])
    else:
        from_sources()

"""Population mean and channel covariance of the default model's encoder output over the
training content crops, for the batch-norm covariance match (`--norm batch --match
covariance`: the content whitened with a population covariance, as batch norm normalises
with population statistics).

The crops are train.py's (seed, count and size as its defaults: 1,600 content crops of
160 px from shared/images/train/content, the same numpy generator sequence), encoded in
float32 by the replica read from the weights file; mean and co-moments are accumulated in
float64 over every position (Chan et al.'s pairwise merge, batch by batch).

Output (proposed format, a separate safetensors file; the lead decides whether the tensors
join Weights/default.safetensors and its MANIFEST.json):
  stats.population_covariance       C x C float32, unbiased (divided by n - 1), symmetric
  stats.population_covariance_mean  C float32 (the mean the covariance is centred on)
  metadata: population_covariance_count (n), population_covariance_source (provenance line)
The Swift side reads them as `CovarianceStatistics.population(mean:covariance:count:)`.

Usage: python Training/population_covariance.py --weights Weights/default.safetensors --out RUNS/population_covariance.safetensors"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
import data
from weights_io import load_exported


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", default=str(Path(__file__).resolve().parent.parent / "Weights/default.safetensors"))
    p.add_argument("--out", required=True, help="safetensors file to write (outside the repository unless shipping)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-content", type=int, default=1600)
    p.add_argument("--crop", type=int, default=160)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    enc, *_ = load_exported(args.weights)
    rng = np.random.default_rng(args.seed)
    cpaths, _ = data.train_lists()
    t0 = time.time()
    crops = data.random_crops(cpaths, args.n_content, args.crop, 176, 480, rng)
    n, mean, m2 = 0, None, None
    with torch.no_grad():
        for i in range(0, len(crops), 32):
            x = torch.from_numpy(np.ascontiguousarray(crops[i:i + 32])).permute(0, 3, 1, 2).float() / 255.0
            f = enc(x).double()                                    # B x C x h x w
            f = f.permute(0, 2, 3, 1).reshape(-1, f.shape[1])      # positions x C
            nb, mb = f.shape[0], f.mean(0)
            d = f - mb
            m2b = d.T @ d
            if mean is None:
                n, mean, m2 = nb, mb, m2b
            else:
                delta = mb - mean
                total = n + nb
                m2 = m2 + m2b + torch.outer(delta, delta) * (n * nb / total)
                mean = mean + delta * (nb / total)
                n = total
    cov = m2 / (n - 1)
    cov = (cov + cov.T) / 2
    lam = torch.linalg.eigvalsh(cov)
    source = (f"encoder output over {n} positions of {args.n_content} training content crops "
              f"({args.crop} px, seed {args.seed}, {len(cpaths)} images), float64 co-moments")
    save_file({"stats.population_covariance": cov.float().contiguous(),
               "stats.population_covariance_mean": mean.float().contiguous()}, args.out,
              metadata={"population_covariance_count": str(n), "population_covariance_source": source})
    print(f"{args.out}: {source}; {time.time() - t0:.0f} s; eigenvalues {lam.min().item():.3g} .. {lam.max().item():.3g}, "
          f"{int((lam < 1e-5).sum())} below the ridge 1e-5")


if __name__ == "__main__":
    main()

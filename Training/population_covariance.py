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

The shipped Weights/default.safetensors carries them (added with --into, which rewrites the
weights file with every other tensor and metadata entry unchanged; then refresh
Weights/MANIFEST.json and Tests/StyleModelsTests/Reference with Training/make_reference.py).

Usage: python Training/population_covariance.py --weights Weights/default.safetensors --out RUNS/population_covariance.safetensors
       python Training/population_covariance.py --from RUNS/population_covariance.safetensors --into Weights/default.safetensors"""
import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
import data
from weights_io import load_exported


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weights", default=str(Path(__file__).resolve().parent.parent / "Weights/default.safetensors"))
    p.add_argument("--out", help="safetensors file to write (outside the repository)")
    p.add_argument("--from", dest="source", help="take the statistics from this file (written by --out) instead of computing them")
    p.add_argument("--into", help="add the statistics to this weights file (rewritten; other tensors and metadata kept)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-content", type=int, default=1600)
    p.add_argument("--crop", type=int, default=160)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    if not (args.out or args.into):
        p.error("give --out FILE and/or --into WEIGHTS")
    if args.source:
        with safe_open(args.source, "pt") as f:
            tensors = {k: f.get_tensor(k) for k in f.keys()}
            metadata = f.metadata()
        return write(args, tensors, metadata)
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
    print(f"{source}; {time.time() - t0:.0f} s; eigenvalues {lam.min().item():.3g} .. {lam.max().item():.3g}, "
          f"{int((lam < 1e-5).sum())} below the ridge 1e-5")
    write(args, {"stats.population_covariance": cov.float().contiguous(),
                 "stats.population_covariance_mean": mean.float().contiguous()},
          {"population_covariance_count": str(n), "population_covariance_source": source})


def write(args, tensors, metadata):
    if args.out:
        save_file(tensors, args.out, metadata=metadata)
        print(f"wrote {args.out}")
    if args.into:
        with safe_open(args.into, "pt") as f:
            merged = {k: f.get_tensor(k) for k in f.keys()}
            merged_meta = dict(f.metadata() or {})
        merged.update({k: v.float().contiguous() for k, v in tensors.items()})
        merged_meta.update({k: metadata[k] for k in ("population_covariance_count", "population_covariance_source")})
        tmp = args.into + ".tmp"
        save_file(merged, tmp, metadata=merged_meta)
        os.replace(tmp, args.into)
        digest = hashlib.sha256(Path(args.into).read_bytes()).hexdigest()
        print(f"added {', '.join(sorted(tensors))} to {args.into} (sha256 {digest})")


if __name__ == "__main__":
    main()

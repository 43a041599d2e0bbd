"""onnxruntime and OpenVINO on an ONNX graph, timed in-process (used by bench_networks.py).

Both get the same thread count: onnxruntime intra-op threads = N, inter-op 1, sequential
execution, all graph optimizations; OpenVINO on its CPU device with INFERENCE_NUM_THREADS = N,
one stream, the latency hint, and INFERENCE_PRECISION_HINT pinned (f32, or bf16 for its fast
mode on float graphs). A run is timed from the input arrays to the output array; the best of
`repeats` (and more until MIN_SECONDS) after one warm-up counts, with that run's process CPU time.
"""
import gc
import math
import time

import numpy as np


MIN_SECONDS = [0.0]
# With CPU_CLOCK[0] (bench_networks.py --cpu-time, one thread) runs are compared by their
# process CPU time instead of the wall clock: time spent descheduled by other work drops out.
CPU_CLOCK = [False]


def best_time(fn, repeats):
    """(best seconds, process CPU seconds of that run) over `repeats` runs after a warm-up,
    going on until the timed runs add up to MIN_SECONDS[0] (at most 200 runs), as
    `stylize-bench network --min-seconds` does."""
    fn()
    best, cpu, spent, runs = math.inf, math.nan, 0.0, 0
    while runs < max(1, repeats) or (spent < MIN_SECONDS[0] and runs < 200):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if (c if CPU_CLOCK[0] else t) < best:
            best, cpu = (c if CPU_CLOCK[0] else t), c
        spent += t
        runs += 1
    return best, cpu


def versions():
    import onnxruntime as ort
    import openvino as ov
    return {"onnxruntime": ort.__version__, "openvino": ov.__version__.split("-")[0]}


def openvino_has_bf16():
    """Whether OpenVINO's CPU plugin offers bf16 on this CPU (its default fast mode there)."""
    import openvino as ov
    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def run_onnxruntime(path, feeds, threads, repeats):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    feeds = {k: v for k, v in feeds(x.name for x in sess.get_inputs()).items()}
    out = {}
    t, cpu = best_time(lambda: out.update(y=sess.run(None, feeds)[0]), repeats)
    del sess
    gc.collect()
    return t, cpu, out["y"]


def run_openvino(path, feeds, threads, repeats, precision):
    """`precision`: 'f32' or 'bf16' (INFERENCE_PRECISION_HINT), or None for the plugin's default."""
    import openvino as ov
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}
    if precision:
        config["INFERENCE_PRECISION_HINT"] = precision
    model = core.read_model(str(path))
    inputs = feeds(p.get_any_name() for p in model.inputs)
    model.reshape({name: list(value.shape) for name, value in inputs.items()})
    compiled = core.compile_model(model, "CPU", config)
    used = compiled.get_property("INFERENCE_PRECISION_HINT")
    used = getattr(used, "get_type_name", lambda: str(used))()
    request = compiled.create_infer_request()
    out = {}

    def run():
        request.infer(inputs)
        out["y"] = request.get_output_tensor(0).data.copy()
    t, cpu = best_time(run, repeats)
    del request, compiled
    gc.collect()
    return t, cpu, out["y"], used

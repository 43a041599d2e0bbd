"""An ONNX graph with its activation fake-quantization removed (weights stay dequantized
int8): the float network the Swift engine runs, evaluated by onnxruntime."""
import onnx
from onnx import helper
def floatify(path, keep=lambda name: False):
    """Remove activation fake-quantization: every DequantizeLinear whose input is not an
    initializer is bypassed to the float tensor before its QuantizeLinear (re-creating any
    Reshape/Transpose that tf2onnx placed between the two)."""
    m = onnx.load(path); g = m.graph
    inits = {t.name for t in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    rename = {}; extra = []
    for n in g.node:
        if n.op_type != "DequantizeLinear" or n.input[0] in inits: continue
        chain = []; x = n.input[0]
        while x in prod and prod[x].op_type in ("Reshape", "Transpose"):
            chain.append(prod[x]); x = prod[x].input[0]
        q = prod.get(x)
        if q is None or q.op_type != "QuantizeLinear": raise RuntimeError(f"DQ {n.name} without Q")
        src = q.input[0]
        if keep(src): continue
        for c in reversed(chain):
            out = c.output[0] + "__float"
            extra.append(helper.make_node(c.op_type, [src] + list(c.input[1:]), [out], name=c.name + "__float",
                                          **{a.name: helper.get_attribute_value(a) for a in c.attribute}))
            src = out
        rename[n.output[0]] = src
    def r(x):
        while x in rename: x = rename[x]
        return x
    nodes = list(g.node) + extra
    for n in nodes:
        for i, x in enumerate(n.input): n.input[i] = r(x)
    for o in g.output:
        if o.name in rename: o.name = r(o.name)
    del g.node[:]; g.node.extend(nodes)
    # keep a topological order
    m2 = onnx.helper.make_model(g, opset_imports=m.opset_import)
    order = []; done = set(inits) | {i.name for i in g.input}; pending = list(g.node)
    while pending:
        rest = []
        for n in pending:
            if all((x == "" or x in done) for x in n.input): order.append(n); done.update(n.output)
            else: rest.append(n)
        if len(rest) == len(pending): raise RuntimeError("cycle")
        pending = rest
    del m2.graph.node[:]; m2.graph.node.extend(order)
    return m2

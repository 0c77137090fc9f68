#!/usr/bin/env python3
"""Small ONNX models for the infer node's tests and benchmark, with scikit-learn's own predictions.

Run with a Python that has scikit-learn, numpy and onnx (Debian: python3-sklearn python3-onnx):
    python3 scripts/models/make-test-models.py
No skl2onnx needed: the graphs are written with onnx.helper, the way skl2onnx writes them
(LinearClassifier + ZipMap, TreeEnsembleClassifier, MatMul + Add). Deterministic (fixed seeds).
Writes test/fixtures/models/{logreg20,gbm50,linreg20}.onnx and expected.json (inputs + sklearn
outputs for them).
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'models')
N_FEATURES = 20
OPSETS = [helper.make_opsetid('', 17), helper.make_opsetid('ai.onnx.ml', 3)]


def save(graph, name, doc):
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name='tributary-test-models', producer_version='1', doc_string=doc)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def float_input():
    return helper.make_tensor_value_info('input', TensorProto.FLOAT, [None, N_FEATURES])


def map_type(key, value):
    # onnx.helper.make_map_type_proto is missing from older onnx releases.
    t = onnx.TypeProto()
    t.map_type.key_type = key
    t.map_type.value_type.CopyFrom(value)
    return t


def logistic_regression(model):
    """Binary LogisticRegression as skl2onnx writes it with zipmap: labels + a sequence of maps."""
    w = model.coef_[0].astype(np.float64)
    b = float(model.intercept_[0])
    # Both classes' scores, so LOGISTIC gives [1-p, p] exactly: sigmoid(-z) = 1 - sigmoid(z).
    lin = helper.make_node('LinearClassifier', ['input'], ['label', 'probability_tensor'], domain='ai.onnx.ml',
                           coefficients=list(-w) + list(w), intercepts=[-b, b], classlabels_ints=[0, 1],
                           multi_class=0, post_transform='LOGISTIC')
    zipmap = helper.make_node('ZipMap', ['probability_tensor'], ['output_probability'], domain='ai.onnx.ml', classlabels_int64s=[0, 1])
    ident = helper.make_node('Identity', ['label'], ['output_label'])
    graph = helper.make_graph([lin, zipmap, ident], 'logreg20', [float_input()], [
        helper.make_tensor_value_info('output_label', TensorProto.INT64, [None]),
        helper.make_value_info('output_probability', helper.make_sequence_type_proto(map_type(TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, [])))),
    ])
    save(graph, 'logreg20.onnx', 'logistic regression, 20 features')


def gradient_boosting(model):
    """Binary GradientBoostingClassifier as a TreeEnsembleClassifier with a probability tensor."""
    lr = model.learning_rate
    init = float(model._raw_predict_init(np.zeros((1, N_FEATURES), dtype=np.float32))[0, 0])
    attrs = {k: [] for k in ['nodes_treeids', 'nodes_nodeids', 'nodes_featureids', 'nodes_values', 'nodes_modes',
                             'nodes_truenodeids', 'nodes_falsenodeids', 'class_treeids', 'class_nodeids', 'class_ids', 'class_weights']}
    for t, est in enumerate(model.estimators_[:, 0]):
        tree = est.tree_
        for n in range(tree.node_count):
            leaf = tree.children_left[n] == -1
            attrs['nodes_treeids'].append(t)
            attrs['nodes_nodeids'].append(n)
            attrs['nodes_featureids'].append(0 if leaf else int(tree.feature[n]))
            attrs['nodes_values'].append(0.0 if leaf else float(tree.threshold[n]))
            attrs['nodes_modes'].append('LEAF' if leaf else 'BRANCH_LEQ')
            attrs['nodes_truenodeids'].append(0 if leaf else int(tree.children_left[n]))
            attrs['nodes_falsenodeids'].append(0 if leaf else int(tree.children_right[n]))
            if leaf:
                # skl2onnx's binary form: one score per tree on class 0; onnxruntime turns a
                # single-class binary ensemble with LOGISTIC into [1 - p, p].
                attrs['class_treeids'].append(t)
                attrs['class_nodeids'].append(n)
                attrs['class_ids'].append(0)
                attrs['class_weights'].append(float(tree.value[n][0][0]) * lr)
    node = helper.make_node('TreeEnsembleClassifier', ['input'], ['output_label', 'output_probability'], domain='ai.onnx.ml',
                            classlabels_int64s=[0, 1], base_values=[init], post_transform='LOGISTIC', **attrs)
    graph = helper.make_graph([node], 'gbm50', [float_input()], [
        helper.make_tensor_value_info('output_label', TensorProto.INT64, [None]),
        helper.make_tensor_value_info('output_probability', TensorProto.FLOAT, [None, 2]),
    ])
    save(graph, 'gbm50.onnx', 'gradient boosting, 50 trees of depth 3, 20 features')


def linear_regression(model):
    w = helper.make_tensor('W', TensorProto.FLOAT, [N_FEATURES, 1], model.coef_.astype(np.float32).tolist())
    b = helper.make_tensor('B', TensorProto.FLOAT, [1], [float(model.intercept_)])
    graph = helper.make_graph([helper.make_node('MatMul', ['input', 'W'], ['xw']), helper.make_node('Add', ['xw', 'B'], ['variable'])],
                              'linreg20', [float_input()], [helper.make_tensor_value_info('variable', TensorProto.FLOAT, [None, 1])], initializer=[w, b])
    save(graph, 'linreg20.onnx', 'linear regression, 20 features')


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(2000, N_FEATURES)).astype(np.float32)
    true_w = rng.normal(size=N_FEATURES)
    z = X @ true_w + 0.5 * np.sin(3 * X[:, 0]) * X[:, 1]
    y = (z + rng.normal(scale=0.5, size=len(z)) > 0).astype(int)
    yr = X @ true_w + rng.normal(scale=0.1, size=len(z))

    lr = LogisticRegression(max_iter=1000).fit(X, y)
    gbm = GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0).fit(X, y)
    lin = LinearRegression().fit(X, yr)
    logistic_regression(lr)
    gradient_boosting(gbm)
    linear_regression(lin)

    test = X[:200].astype(np.float32)
    expected = {
        'features': [f'f{i}' for i in range(N_FEATURES)],
        'inputs': test.astype(float).tolist(),
        'logreg20': {'coef': lr.coef_[0].tolist(), 'intercept': float(lr.intercept_[0]),
                     'label': lr.predict(test).tolist(), 'probability': lr.predict_proba(test)[:, 1].tolist()},
        'gbm50': {'label': gbm.predict(test).tolist(), 'probability': gbm.predict_proba(test)[:, 1].tolist()},
        'linreg20': {'coef': lin.coef_.tolist(), 'intercept': float(lin.intercept_), 'prediction': lin.predict(test).tolist()},
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()

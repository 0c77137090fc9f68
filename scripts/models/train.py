#!/usr/bin/python3
"""Train the example models on the clickstream generator's data and write them as ONNX.

    npm run build && python3 scripts/models/train.py

Needs scikit-learn, numpy and onnx (Debian: python3-sklearn python3-onnx); no skl2onnx, so the two
converters below write the ai.onnx.ml operators directly. Deterministic: fixed generator seeds and
model seeds give the same files on every run.

Writes, in pipelines/models/:
  churn.onnx               LogisticRegression -> LinearClassifier
  cart-abandonment.onnx    GradientBoostingClassifier -> TreeEnsembleClassifier
  *.expected.json          a fixed test set: feature rows and scikit-learn's probabilities, which
                           onnxruntime must reproduce within 1e-6 (test/pipelines/models.test.ts)

Both models take one float tensor `input` [N, features] and give `output_label` (int64 [N]) and
`output_probability` (float [N, 2], no ZipMap), the names skl2onnx uses, so a pipeline reads the
positive class's probability as `output_probability[1]`.

Features and labels (the pipelines compute the same features in-stream; see README, "Models"):
  churn, per user and 2-minute event-time window (tumbling, aligned to the epoch):
    sessions (distinct sessionId), views, carts (ADD_TO_CART events), purchases (PURCHASE events),
    recency (seconds from the user's last event to the window's end).
    label = 1 when the user has no event at all in the next 2-minute window.
  cart abandonment, per session (a session window on sessionId with a 1-minute gap), for sessions
    with at least one ADD_TO_CART:
    views, clicks, adds, removes, cartItems (quantity added - removed), cartValue (price * quantity
    added - removed), duration (seconds from first to last event);
    label = 1 when the session has no PURCHASE.
The generator picks each new session's user uniformly at random and decides a cart session's
outcome by a coin flip (`abandonment`), so little in the features predicts either label: the
models are honest fits to this data, mostly near the base rate. Retrain on real data for real use.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'pipelines', 'models')
# The generator as the churn pipelines and the cart pipeline run it, but with other seeds and more events.
GENERATOR = {'rate': 0, 'users': 2000, 'eventTimeRate': 100}
TRAIN_SEEDS = [101, 102, 103]
TEST_SEED = 104
EVENTS_PER_SEED = 120_000
CHURN_WINDOW_MS = 120_000
CART_GAP_MS = 60_000
CHURN_FEATURES = ['sessions', 'views', 'carts', 'purchases', 'recency']
CART_FEATURES = ['views', 'clicks', 'adds', 'removes', 'cartItems', 'cartValue', 'duration']


def events(seed):
    params = dict(GENERATOR, seed=seed, count=EVENTS_PER_SEED)
    script = os.path.join(ROOT, 'dist', 'scripts', 'models', 'events.js')
    if not os.path.exists(script):
        sys.exit('run `npm run build` first (it compiles scripts/models/events.ts)')
    out = subprocess.run(['node', script, json.dumps(params)], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def churn_rows(evs):
    """(features, label) per user and window, for windows whose next window is inside the data."""
    per = defaultdict(lambda: {'sessions': set(), 'views': 0, 'carts': 0, 'purchases': 0, 'last': 0})
    for e in evs:
        w = e['ts'] // CHURN_WINDOW_MS
        a = per[(e['userId'], w)]
        a['sessions'].add(e['sessionId'])
        a['views'] += e['eventType'] == 'VIEW'
        a['carts'] += e['eventType'] == 'ADD_TO_CART'
        a['purchases'] += e['eventType'] == 'PURCHASE'
        a['last'] = max(a['last'], e['ts'])
    last_window = max(e['ts'] for e in evs) // CHURN_WINDOW_MS
    X, y = [], []
    for (user, w), a in sorted(per.items()):
        if w + 1 >= last_window:  # the next window must be complete
            continue
        end = (w + 1) * CHURN_WINDOW_MS
        X.append([len(a['sessions']), a['views'], a['carts'], a['purchases'], (end - a['last']) / 1000])
        y.append(0 if (user, w + 1) in per else 1)
    return np.array(X, dtype=np.float32), np.array(y)


def cart_rows(evs):
    """(features, label) per session window (gap CART_GAP_MS) of a session that added to its cart."""
    by_session = defaultdict(list)
    for e in evs:
        by_session[e['sessionId']].append(e)
    X, y = [], []
    for sid in sorted(by_session):
        es = sorted(by_session[sid], key=lambda e: e['ts'])
        parts, cur = [], [es[0]]
        for e in es[1:]:
            if e['ts'] - cur[-1]['ts'] > CART_GAP_MS:  # windows that touch merge (Flink TimeWindow.intersects)
                parts.append(cur)
                cur = []
            cur.append(e)
        parts.append(cur)
        for p in parts:
            t = [e['eventType'] for e in p]
            adds = t.count('ADD_TO_CART')
            if adds == 0:
                continue
            qty = sum(e['quantity'] * (1 if e['eventType'] == 'ADD_TO_CART' else -1) for e in p if e['eventType'] in ('ADD_TO_CART', 'REMOVE_FROM_CART'))
            value = sum(e['price'] * e['quantity'] * (1 if e['eventType'] == 'ADD_TO_CART' else -1) for e in p if e['eventType'] in ('ADD_TO_CART', 'REMOVE_FROM_CART'))
            X.append([t.count('VIEW'), t.count('CLICK'), adds, t.count('REMOVE_FROM_CART'), qty, value, (p[-1]['ts'] - p[0]['ts']) / 1000])
            y.append(0 if 'PURCHASE' in t else 1)
    return np.array(X, dtype=np.float32), np.array(y)


def model_proto(name, n_features, node, doc):
    graph = helper.make_graph(
        [node],
        name,
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [None, n_features])],
        [
            helper.make_tensor_value_info('output_label', TensorProto.INT64, [None]),
            helper.make_tensor_value_info('output_probability', TensorProto.FLOAT, [None, 2]),
        ],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('ai.onnx.ml', 3)], producer_name='tributary scripts/models/train.py', doc_string=doc)
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def linear_to_onnx(lr, n_features, doc):
    """Binary LogisticRegression: scores [-z, z] through LOGISTIC give [1 - p, p], as skl2onnx writes it."""
    w = lr.coef_[0].astype(np.float64)
    b = float(lr.intercept_[0])
    node = helper.make_node(
        'LinearClassifier', ['input'], ['output_label', 'output_probability'], domain='ai.onnx.ml',
        classlabels_ints=[0, 1], coefficients=[float(v) for v in np.concatenate([-w, w])], intercepts=[-b, b], post_transform='LOGISTIC', multi_class=0,
    )
    return model_proto('churn', n_features, node, doc)


def threshold32(t):
    """The largest float32 not above t: for float32 inputs, x <= t exactly when x <= this."""
    f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def gbt_to_onnx(gb, n_features, doc):
    """Binary GradientBoostingClassifier: one regression tree per stage, summed onto the prior's
    log-odds and passed through LOGISTIC; onnxruntime gives [1 - p, p] for a two-class, one-score ensemble."""
    attrs = defaultdict(list)
    for t_i, est in enumerate(gb.estimators_[:, 0]):
        tree = est.tree_
        for n in range(tree.node_count):
            attrs['nodes_treeids'].append(t_i)
            attrs['nodes_nodeids'].append(n)
            leaf = tree.children_left[n] == -1
            attrs['nodes_featureids'].append(0 if leaf else int(tree.feature[n]))
            attrs['nodes_values'].append(0.0 if leaf else threshold32(tree.threshold[n]))
            attrs['nodes_modes'].append('LEAF' if leaf else 'BRANCH_LEQ')
            attrs['nodes_truenodeids'].append(0 if leaf else int(tree.children_left[n]))
            attrs['nodes_falsenodeids'].append(0 if leaf else int(tree.children_right[n]))
            attrs['nodes_missing_value_tracks_true'].append(0)
            attrs['nodes_hitrates'].append(1.0)
            if leaf:
                attrs['class_treeids'].append(t_i)
                attrs['class_nodeids'].append(n)
                attrs['class_ids'].append(0)
                attrs['class_weights'].append(float(gb.learning_rate * tree.value[n][0][0]))
    prior = float(gb._raw_predict_init(np.zeros((1, n_features), dtype=np.float32))[0, 0])
    node = helper.make_node(
        'TreeEnsembleClassifier', ['input'], ['output_label', 'output_probability'], domain='ai.onnx.ml',
        classlabels_int64s=[0, 1], post_transform='LOGISTIC', base_values=[prior], **attrs,
    )
    return model_proto('cart_abandonment', n_features, node, doc)


def save(model, name, features, X_test, proba, y_test):
    onnx.save(model, os.path.join(OUT, f'{name}.onnx'))
    expected = {
        'about': f'{name}.onnx on a fixed test set (generator seed {TEST_SEED}): scikit-learn\'s probability of class 1 per row; onnxruntime must agree within 1e-6.',
        'features': features,
        'rows': [[float(v) for v in r] for r in X_test],
        'probability': [float(p) for p in proba],
        'label': [int(v) for v in y_test],
    }
    with open(os.path.join(OUT, f'{name}.expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


def main():
    os.makedirs(OUT, exist_ok=True)
    # Each seed is its own stretch of time: build rows per seed so windows never mix them.
    train = [events(s) for s in TRAIN_SEEDS]
    test = events(TEST_SEED)
    churn = [churn_rows(e) for e in train]
    Xc = np.concatenate([c[0] for c in churn])
    yc = np.concatenate([c[1] for c in churn])
    Xc_test, yc_test = churn_rows(test)
    lr = LogisticRegression(max_iter=1000, random_state=0).fit(Xc.astype(np.float64), yc)
    pc = lr.predict_proba(Xc_test.astype(np.float64))[:, 1]
    doc = f'Churn: P(no activity in the next 2 minutes) from {CHURN_FEATURES}. Trained on {len(yc)} user-windows (churn rate {yc.mean():.3f}).'
    save(linear_to_onnx(lr, len(CHURN_FEATURES), doc), 'churn', CHURN_FEATURES, Xc_test[:500], pc[:500], yc_test[:500])
    print(f'churn: {len(yc)} training rows, base rate {yc.mean():.3f}; test accuracy {(lr.predict(Xc_test) == yc_test).mean():.3f}, test rows {len(yc_test)}')

    carts = [cart_rows(e) for e in train]
    Xa = np.concatenate([c[0] for c in carts])
    ya = np.concatenate([c[1] for c in carts])
    Xa_test, ya_test = cart_rows(test)
    gb = GradientBoostingClassifier(n_estimators=50, max_depth=3, learning_rate=0.1, random_state=0).fit(Xa, ya)
    pa = gb.predict_proba(Xa_test)[:, 1]
    doc = f'Cart abandonment: P(the session ends without a purchase) from {CART_FEATURES}. Trained on {len(ya)} cart sessions (abandonment rate {ya.mean():.3f}).'
    save(gbt_to_onnx(gb, len(CART_FEATURES), doc), 'cart-abandonment', CART_FEATURES, Xa_test[:500], pa[:500], ya_test[:500])
    print(f'cart-abandonment: {len(ya)} training rows, base rate {ya.mean():.3f}; test accuracy {(gb.predict(Xa_test) == ya_test).mean():.3f}; share of test carts with p >= 0.75: {(pa >= 0.75).mean():.3f}')


if __name__ == '__main__':
    main()

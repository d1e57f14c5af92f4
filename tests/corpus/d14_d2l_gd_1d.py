# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_optimization/gd.md
# (written for this corpus after that source's example; not copied)


def f(x):
    return x ** 2


def f_grad(x):
    return 2 * x


def gd(eta, f_grad):
    x = 10.0
    results = [x]
    for i in range(10):
        x -= eta * f_grad(x)
        results.append(float(x))
    print(f'epoch 10, x: {x:f}')
    return results


results = gd(0.2, f_grad)
print(len(results))

"""The demo: the home-care service of the Perovo district of Moscow (`demo.load`), its past
weeks (`demo.history`, walked by `demo.day`) and the live simulator (`demo.simulate`), loaded
by `careroute demo` (`demo.cli`). It sits on top of every other package and nothing imports it.
"""

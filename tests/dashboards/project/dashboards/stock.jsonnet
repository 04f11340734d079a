local g = import 'grafonnet-lite/main.libsonnet';

g.dashboard('Stock levels') + {
  panels: [g.timeseries('Items in stock', 'sum by (warehouse) (stock_items)')],
}

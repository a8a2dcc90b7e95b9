# model fuzz7016, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.elu(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.gelu(h)
        return h
    v1 = net1(x)
    return F.nll_loss(F.log_softmax(F.linear(v1, t["loss.weight"], t["loss.bias"]), -1), y)

# model fuzz7016, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = (x / ((x * x) + torch.tensor(1)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        return h
    return F.cross_entropy(net1(v1), y) + torch.sum(x)

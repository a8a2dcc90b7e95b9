# model fuzz7017, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.relu(h)
        return h
    v1 = net1((-x))
    v2 = torch.sum(torch.sigmoid(x))
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        return h
    logits = net2(v1)
    return F.cross_entropy(logits, y)

# model fuzz7009, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sigmoid(x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    p1 = t["p1"]
    p2 = t["p2"]
    v2 = (-(p2 * torch.log((torch.sigmoid((p1 - torch.softmax(net1((-x)), -1))) + torch.tensor(0.5)))))
    v3 = (v2 / torch.exp(torch.tanh(v2)))
    v4 = torch.tanh(torch.relu(torch.relu((-torch.log(((v3 * v3) + torch.tensor(1)))))))
    v5 = (-(x - torch.tensor(0.10000000000000001)))
    v6 = net1(x)
    logits = F.linear(v3, t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.sum(torch.tanh(v3)))

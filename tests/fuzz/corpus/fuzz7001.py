# model fuzz7001, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.softmax(net1(torch.relu(x)), -1)
    p1 = t["p1"]
    v2 = F.linear((p1 * (-v1)), t["v2.weight"], t["v2.bias"])
    z = F.linear(v2, t["z.weight"], t["z.bias"])
    return F.binary_cross_entropy_with_logits(z, y) + torch.sum(z) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))

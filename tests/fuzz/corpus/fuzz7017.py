# model fuzz7017, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.log_softmax(h, -1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        return h
    v1 = torch.softmax(net1(x), -1)
    v2 = torch.log((torch.sigmoid(v1) + torch.tensor(0.5)))
    p1 = t["p1"]
    logits = torch.matmul(v2, p1)
    return F.nll_loss(F.log_softmax(logits, -1), y) + torch.sum(torch.tanh(v2))

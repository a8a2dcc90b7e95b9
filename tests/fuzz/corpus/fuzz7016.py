# model fuzz7016, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.softmax(x, -1)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    return F.nll_loss(F.log_softmax(net1(v1), -1), y) + (torch.tensor(0.01) * torch.mean((x * x))) + (torch.tensor(0.10000000000000001) * torch.mean(x)) + torch.sum(torch.tanh(v1))

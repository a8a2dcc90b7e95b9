# model fuzz7027, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sigmoid(torch.flatten(x, 1))
    def net1(h):
        h = torch.relu(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.silu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        return h
    return F.cross_entropy(net1(v1), y) + (torch.tensor(0.01) * torch.sum(torch.tanh(v1))) + torch.sum(torch.tanh(v1)) + torch.mean(v1)

# model fuzz7021, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = (-torch.log((torch.sigmoid(torch.tanh(x)) + torch.tensor(0.5))))
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        return h
    logits = net1(v1)
    return F.cross_entropy(logits, y) + torch.sum(torch.tanh(logits)) + (torch.tensor(0.10000000000000001) * torch.mean((v1 * v1))) + (torch.tensor(0.10000000000000001) * torch.sum(logits))

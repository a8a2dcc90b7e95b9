# model fuzz7008, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.sqrt((torch.abs((x - x)) + torch.tensor(0.5)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        return h
    return F.binary_cross_entropy_with_logits(net1(v1), y) + torch.mean(x)

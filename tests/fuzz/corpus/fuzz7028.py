# model fuzz7028, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.gelu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        return h
    v1 = net1(torch.flatten(x, 2))
    p1 = t["p1"]
    p2 = t["p2"]
    p3 = t["p3"]
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.relu(h)
        return h
    v2 = torch.sum(net2(torch.matmul(torch.reshape((torch.relu((p1 + F.gelu(x, approximate='tanh'))) - p2), (-1, 12)), p3)))
    v3 = (-F.gelu(torch.relu(p1), approximate='tanh'))
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        return h
    z = net3(v1)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.sum(v2)) + (torch.tensor(0.01) * torch.mean((p3 * p3))) + (torch.tensor(0.01) * torch.mean((p3 * p3)))

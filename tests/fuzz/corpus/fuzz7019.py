# model fuzz7019, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.leaky_relu(torch.flatten(x, 1))
    v2 = torch.sqrt((torch.abs(F.elu(x)[:, 0:2]) + torch.tensor(0.5)))
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        return h
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.gelu(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        h = F.gelu(h)
        return h
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = torch.tanh(h)
        return h
    v3 = torch.sqrt((torch.abs((-net3(F.silu(net2(net1(v2)))))) + torch.tensor(0.5)))
    def net4(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        return h
    z = net4(torch.flatten(v2, 1))
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.sum(torch.tanh(v3))) + torch.sum(v1) + (torch.tensor(0.10000000000000001) * torch.mean((v1 * v1)))

# model fuzz7006, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul((-torch.flatten(x, 1)), p1)
    p2 = t["p2"]
    v2 = torch.sqrt((torch.abs(torch.matmul(torch.tanh(torch.softmax(v1, -1)), p2)) + torch.tensor(0.5)))
    v3 = (torch.tanh(v2) / (torch.sigmoid(v2) + torch.tensor(0.5)))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.leaky_relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    v4 = (-net1(v3))
    v5 = (-v4)
    v6 = torch.tanh(F.silu(F.leaky_relu(v5)))
    v7 = F.log_softmax(v6, -1)
    v8 = (-torch.log(((v7 * v7) + torch.tensor(1))))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        return h
    v9 = net2((torch.log((torch.sigmoid((-(torch.tanh(v8) / (torch.sigmoid(v6) + torch.tensor(0.5))))) + torch.tensor(0.5))) + torch.tensor(2)))
    v10 = torch.mean(torch.flatten(x, 1))
    z = F.linear(v9, t["z.weight"], t["z.bias"])
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.sum(torch.tanh(v7))) + (torch.tensor(0.01) * torch.mean((p2 * p2)))

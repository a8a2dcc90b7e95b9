# model fuzz7029, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (x + (x - x))
    v2 = (v1 / ((v1 * v1) + torch.tensor(1)))
    p1 = t["p1"]
    p2 = t["p2"]
    v3 = (p2 * (p1 * torch.flatten(x, 2)))
    def net1(h):
        h = F.max_pool2d(h, 3, 1, 0, 1)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        h = F.gelu(h)
        return h
    v4 = net1((x * torch.softmax(x, -1)))
    p3 = t["p3"]
    v5 = torch.matmul(p3, p1)
    v6 = torch.sigmoid(v5)
    v7 = torch.relu(torch.pow(v6, 3))
    p4 = t["p4"]
    v8 = torch.relu((p4 - v7).permute(1, 0))
    v9 = torch.tanh(y)
    v10 = torch.clamp(torch.relu(p4), -0.5, 0.75)
    z = F.linear(torch.flatten(v2, 1), t["z.weight"], t["z.bias"])
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p4 * p4)))

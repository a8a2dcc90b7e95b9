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
        h = F.batch_norm(h, None, None, t["net1.1.weight"], t["net1.1.bias"], True, 0.1, 0.1)
        h = torch.sigmoid(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.tanh(h)
        return h
    v4 = net1((x * torch.softmax(x, -1)))
    v5 = torch.mean(F.gelu(v4))
    v6 = (x + v5)
    v7 = (v2 - v6)
    v8 = torch.log((torch.sigmoid(torch.sqrt((torch.abs((x * v5)) + torch.tensor(0.5)))) + torch.tensor(0.5)))
    v9 = torch.relu(v8.permute(0, 2, 3, 1))
    v10 = torch.flatten(v1, 1)
    z = F.linear(torch.flatten(x, 1), t["z.weight"], t["z.bias"])
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y)))
